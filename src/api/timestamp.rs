//! Timestamps in response bodies, written in one piece. chrono's own `Serialize` hands
//! serde_json the text a character at a time, and serde_json escapes each piece it is handed
//! on its own: under a page of 100 actions and their thousand statuses, that was about a tenth
//! of the service's CPU time. These write exactly what chrono writes (RFC 3339 in UTC with
//! `Z`, the fraction of a second only as long as needed), as one string.
//!
//! Use on a field: `#[serde(serialize_with = "crate::api::timestamp::rfc3339")]`, or
//! `timestamp::optional` for an `Option`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

/// A timestamp, as chrono's `Serialize` writes it.
pub fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// An optional timestamp: null, or as [`rfc3339`].
pub fn optional<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => rfc3339(at, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};
    use serde::Serialize;

    use super::*;

    #[derive(Serialize)]
    struct Ours {
        #[serde(serialize_with = "rfc3339")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "optional")]
        maybe: Option<DateTime<Utc>>,
    }

    #[derive(Serialize)]
    struct Chronos {
        at: DateTime<Utc>,
        maybe: Option<DateTime<Utc>>,
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
                let ours = serde_json::to_string(&Ours { at, maybe }).unwrap();
                let chronos = serde_json::to_string(&Chronos { at, maybe }).unwrap();
                assert_eq!(ours, chronos);
            }
        }
    }
}
