//! The rendered reports, kept until the data they are made of changes.
//!
//! Every write to the tables a report reads bumps one counter in the database
//! (`data_version`, by triggers at commit). A rendering is stored under the version read
//! *before* it was assembled, so it is never older than its key; a request whose version
//! differs assembles again. Several service processes on one database stay consistent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::web::Bytes;
use diesel::pg::PgConnection;
use diesel::prelude::*;

use crate::db::schema::data_version;

/// The renderings kept at most, in bytes; the least recently used go first.
const CAPACITY: usize = 32 * 1024 * 1024;

/// A report as served: its JSON and entity tag.
#[derive(Debug)]
pub struct Rendered {
    pub body: Bytes,
    pub etag: String,
}

/// What a rendering is kept under: the data generation this process heard (see `changes`),
/// or, while it hears nothing, the data version read from the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    Heard(u64),
    Read(i64),
}

struct Entry {
    version: Stamp,
    rendered: Arc<Rendered>,
    used: u64,
}

#[derive(Default)]
struct Entries {
    by_year: HashMap<i32, Entry>,
    clock: u64,
    bytes: usize,
}

/// The rendered reports of the process, one per year.
#[derive(Default)]
pub struct ReportCache {
    entries: Mutex<Entries>,
}

/// The current version of the data reports are made of.
pub fn current_version(conn: &mut PgConnection) -> QueryResult<i64> {
    data_version::table
        .select(data_version::version)
        .first(conn)
}

impl ReportCache {
    /// The rendering of `year` at `version`, if kept.
    pub fn get(&self, year: i32, version: Stamp) -> Option<Arc<Rendered>> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.clock += 1;
        let clock = entries.clock;
        let entry = entries.by_year.get_mut(&year)?;
        if entry.version != version {
            return None;
        }
        entry.used = clock;
        Some(entry.rendered.clone())
    }

    /// Keeps the rendering of `year` made at `version`, replacing an older one.
    pub fn put(&self, year: i32, version: Stamp, rendered: Arc<Rendered>) {
        let size = rendered.body.len();
        if size > CAPACITY {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = entries.by_year.remove(&year) {
            entries.bytes -= old.rendered.body.len();
        }
        while entries.bytes + size > CAPACITY {
            let Some(oldest) = entries
                .by_year
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(year, _)| *year)
            else {
                break;
            };
            if let Some(old) = entries.by_year.remove(&oldest) {
                entries.bytes -= old.rendered.body.len();
            }
        }
        entries.clock += 1;
        let used = entries.clock;
        entries.bytes += size;
        entries.by_year.insert(
            year,
            Entry {
                version,
                rendered,
                used,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(text: &str) -> Arc<Rendered> {
        Arc::new(Rendered {
            body: Bytes::copy_from_slice(text.as_bytes()),
            etag: format!("\"{text}\""),
        })
    }

    #[test]
    fn a_rendering_serves_only_its_own_version() {
        let cache = ReportCache::default();
        cache.put(2022, Stamp::Read(7), rendered("a"));
        assert_eq!(cache.get(2022, Stamp::Read(7)).unwrap().etag, "\"a\"");
        assert!(cache.get(2022, Stamp::Read(8)).is_none());
        assert!(cache.get(2022, Stamp::Heard(7)).is_none());
        assert!(cache.get(2023, Stamp::Read(7)).is_none());
        cache.put(2022, Stamp::Read(8), rendered("b"));
        assert!(cache.get(2022, Stamp::Read(7)).is_none());
        assert_eq!(cache.get(2022, Stamp::Read(8)).unwrap().etag, "\"b\"");
    }

    #[test]
    fn the_least_recently_used_goes_when_full() {
        let cache = ReportCache::default();
        let big = "x".repeat(CAPACITY / 2 - 1);
        cache.put(2020, Stamp::Read(1), rendered(&big));
        cache.put(2021, Stamp::Read(1), rendered(&big));
        assert!(cache.get(2020, Stamp::Read(1)).is_some());
        cache.put(2022, Stamp::Read(1), rendered(&big));
        assert!(
            cache.get(2021, Stamp::Read(1)).is_none(),
            "2021 was used least recently"
        );
        assert!(cache.get(2020, Stamp::Read(1)).is_some());
        assert!(cache.get(2022, Stamp::Read(1)).is_some());
    }
}
