//! Exports for PowerBI and other analysis tools: `/api/v1/exports`, a star schema as JSON
//! pages or streamed CSV.

pub mod csv;
pub mod docs;
pub mod handlers;
pub mod tables;
pub mod workbook;

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::fixed::{Fixed, Part};
use crate::error::ApiError;

pub use handlers::routes;

/// The incremental refresh window: rows with `updated_from <= updated_at < updated_to`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Window {
    /// Puts the window in the transaction's settings, where the export queries read it.
    pub fn apply(&self, conn: &mut PgConnection) -> Result<(), ApiError> {
        let text = |t: Option<DateTime<Utc>>| {
            t.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
                .unwrap_or_default()
        };
        Fixed::<(Text, Text)>::numbered(
            "SELECT set_config('voortgang.export_from', $1, true), \
                    set_config('voortgang.export_to', $2, true)",
            &[Part::Text(text(self.from)), Part::Text(text(self.to))],
        )
        .execute(conn)?;
        Ok(())
    }
}
