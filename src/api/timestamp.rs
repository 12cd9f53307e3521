//! Timestamps in response bodies, written in one piece. chrono's own `Serialize` hands
//! serde_json the text a character at a time, and serde_json escapes each piece it is handed
//! on its own: under a page of 100 actions and their thousand statuses, that was about a tenth
//! of the service's CPU time. [`DateTime`] writes exactly what chrono writes (RFC 3339 in UTC
//! with `Z`, the fraction of a second only as long as needed), as one string.
//!
//! A wire field is declared `pub updated_at: DateTime` (or `Option<DateTime>`): the type carries
//! the format, so no field needs an attribute of its own to get it.
//! utoipa knows a type called `DateTime` by its name and documents it as chrono's, a string in
//! `date-time` format; the contract test holds the published document to that.

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A moment, in UTC, as it goes out on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub chrono::DateTime<Utc>);

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(at: chrono::DateTime<Utc>) -> Self {
        Self(at)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        chrono::DateTime::<Utc>::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Ours {
        at: DateTime,
        maybe: Option<DateTime>,
    }

    #[derive(Serialize)]
    struct Chronos {
        at: chrono::DateTime<Utc>,
        maybe: Option<chrono::DateTime<Utc>>,
    }

    #[test]
    fn a_timestamp_is_written_as_chrono_writes_it() {
        let second = |y, mo, d, h, mi, s| {
            NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_opt(h, mi, s)
                .unwrap()
        };
        let mut cases = Vec::new();
        for base in [
            second(2022, 6, 30, 23, 59, 59),
            second(1, 1, 1, 0, 0, 0),
            second(9999, 12, 31, 12, 0, 0),
            second(10000, 1, 1, 0, 0, 0),
            second(-1, 3, 4, 5, 6, 7),
        ] {
            for nanos in [0, 1, 1_000, 120_000, 123_456_000, 500_000_000, 999_999_999] {
                cases.push(Utc.from_utc_datetime(&(base + chrono::Duration::nanoseconds(nanos))));
            }
        }
        // a leap second
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap();
        cases.push(Utc.from_utc_datetime(&leap));
        cases.push(Utc::now());
        for at in cases {
            for maybe in [None, Some(at)] {
                let ours = Ours {
                    at: at.into(),
                    maybe: maybe.map(DateTime),
                };
                let written = serde_json::to_string(&ours).unwrap();
                let chronos = serde_json::to_string(&Chronos { at, maybe }).unwrap();
                assert_eq!(written, chronos);
                let read: Ours = serde_json::from_str(&written).unwrap();
                assert_eq!((read.at, read.maybe), (ours.at, ours.maybe));
            }
        }
    }
}
