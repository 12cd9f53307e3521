//! The rendered reports, kept until the data they are made of changes.
//!
//! Every write to the tables a report reads bumps one counter in the database
//! (`data_version`, by triggers at commit). A rendering is stored under the version read
//! *before* it was assembled, so it is never older than its key; a request whose version
//! differs assembles again. Several service processes on one database stay consistent.

use std::sync::Arc;

use actix_web::web::Bytes;
use diesel::pg::PgConnection;
use diesel::prelude::*;

use crate::api::kept::{Kept, Weighed};
use crate::db::schema::data_version;

/// The renderings kept at most, in bytes; the least recently used go first.
const CAPACITY: usize = 32 * 1024 * 1024;

/// A report as served: its JSON and entity tag.
#[derive(Debug)]
pub struct Rendered {
    pub body: Bytes,
    pub etag: String,
}

impl Weighed for Arc<Rendered> {
    fn bytes(&self) -> usize {
        self.body.len()
    }
}

/// What a rendering is kept under: the data generation this process heard (see `changes`),
/// or, while it hears nothing, the data version read from the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    Heard(u64),
    Read(i64),
}

/// The rendered reports of the process, one per year.
pub struct ReportCache(Kept<i32, Stamp, Arc<Rendered>>);

impl Default for ReportCache {
    fn default() -> Self {
        Self(Kept::new(CAPACITY, CAPACITY))
    }
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
        self.0.get(&year, &version)
    }

    /// Keeps the rendering of `year` made at `version`, replacing an older one.
    pub fn put(&self, year: i32, version: Stamp, rendered: Arc<Rendered>) {
        self.0.put(year, version, rendered);
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
