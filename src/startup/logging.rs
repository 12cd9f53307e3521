//! The logger: env_logger, filtered by `RUST_LOG` (default `info`), writing text lines or, with
//! `VOORTGANG_LOG_FORMAT=json`, one JSON object per line with the record's key-values as fields
//! (the access log's `request_id`, `status`, `millis`, ...).

use std::io::Write;

use log::kv::{Error, Key, Value, VisitSource};
use serde_json::{Map, Value as Json};

use crate::config::LogFormat;

/// Installs the logger; call once, first thing.
pub fn init(format: LogFormat) {
    let mut builder =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"));
    if format == LogFormat::Json {
        builder.format(|out, record| {
            let line = json_line(record, chrono::Utc::now());
            writeln!(out, "{line}")
        });
    }
    builder.init();
}

/// A record as one JSON object: time, level, target, message and its key-values.
pub fn json_line(record: &log::Record<'_>, now: chrono::DateTime<chrono::Utc>) -> String {
    let mut fields = Map::new();
    fields.insert(
        "time".into(),
        now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            .into(),
    );
    fields.insert("level".into(), record.level().as_str().into());
    fields.insert("target".into(), record.target().into());
    fields.insert("message".into(), record.args().to_string().into());
    let mut visitor = Fields(&mut fields);
    // a key-value that cannot be visited is left out; the message still holds it
    let _ = record.key_values().visit(&mut visitor);
    Json::Object(fields).to_string()
}

struct Fields<'a>(&'a mut Map<String, Json>);

impl<'kvs> VisitSource<'kvs> for Fields<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), Error> {
        let value = if let Some(n) = value.to_u64() {
            Json::from(n)
        } else if let Some(n) = value.to_i64() {
            Json::from(n)
        } else if let Some(x) = value.to_f64() {
            Json::from(x)
        } else {
            Json::from(value.to_string())
        };
        self.0.insert(key.as_str().to_string(), value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_line_carries_the_key_values_as_fields() {
        let kvs: &[(&str, Value)] = &[
            ("request_id", Value::from("4f9c2a1e7b3d8c05")),
            ("status", Value::from(404u16)),
        ];
        let args = format_args!("GET \"/x\" 404");
        let record = log::Record::builder()
            .args(args)
            .level(log::Level::Info)
            .target("voortgang::access")
            .key_values(&kvs)
            .build();
        let at = chrono::DateTime::from_timestamp(1_764_800_000, 0).expect("a time");
        let line: Json = serde_json::from_str(&json_line(&record, at)).expect("JSON");
        assert_eq!(line["time"], "2025-12-03T22:13:20.000Z");
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["target"], "voortgang::access");
        assert_eq!(line["message"], "GET \"/x\" 404");
        assert_eq!(line["request_id"], "4f9c2a1e7b3d8c05");
        assert_eq!(line["status"], 404);
    }
}
