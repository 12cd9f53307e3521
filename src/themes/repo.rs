//! Theme queries.

use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::dto::Theme;
use crate::db::schema::themes;
use crate::error::ApiError;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = themes)]
struct ThemeRow {
    number: i32,
    code: String,
    name: String,
}

impl From<ThemeRow> for Theme {
    fn from(row: ThemeRow) -> Self {
        Self {
            number: row.number,
            code: row.code,
            name: row.name,
        }
    }
}

/// The sort key of the theme list.
pub fn key(theme: &Theme) -> i32 {
    theme.number
}

pub fn list(
    conn: &mut PgConnection,
    after: Option<i32>,
    limit: i64,
) -> Result<Vec<Theme>, ApiError> {
    let rows = themes::table
        .filter(themes::number.gt(after.unwrap_or(-1)))
        .select(ThemeRow::as_select())
        .order(themes::number)
        .limit(limit)
        .load(conn)?;
    Ok(rows.into_iter().map(Theme::from).collect())
}

pub fn find(conn: &mut PgConnection, code: &str) -> Result<Theme, ApiError> {
    themes::table
        .filter(themes::code.eq(code.to_ascii_uppercase()))
        .select(ThemeRow::as_select())
        .first(conn)
        .optional()?
        .map(Theme::from)
        .ok_or_else(|| ApiError::NotFound(format!("There is no theme with code `{code}`.")))
}
