//! Sorting, keyset cursors and full-text search shared by the searchable lists (actions,
//! risks, audits, recommendations, self-evaluations): a list declares its query parameters
//! with `searchable_query!`, adds its own filters to its query and lets a [`Window`] finish it.
//!
//! The tables have `id`, `title`, `created_at`, `updated_at` and a generated `search`
//! tsvector (Dutch, accent-insensitive), so one piece of SQL serves them all.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use diesel::expression::BoxableExpression;
use diesel::pg::Pg;
use diesel::sql_types::{Bool, Float, Integer};
use serde::{Deserialize, Serialize};

use crate::api::{limits, page, Cursor};
use crate::db::fixed::Fixed;
use crate::error::ApiError;

/// The sort orders a list accepts.
pub const SORTS: &str =
    "id, -id, title, -title, created_at, -created_at, updated_at, -updated_at, rank";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    Id,
    Title,
    CreatedAt,
    UpdatedAt,
    /// Relevance to `q`, best first.
    Rank,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl FromStr for Sort {
    type Err = ApiError;

    fn from_str(text: &str) -> Result<Self, ApiError> {
        let (descending, name) = match text.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, text),
        };
        let key = match name {
            "id" => SortKey::Id,
            "title" => SortKey::Title,
            "created_at" => SortKey::CreatedAt,
            "updated_at" => SortKey::UpdatedAt,
            "rank" if !descending => SortKey::Rank,
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "sort must be one of {SORTS}; got `{text}`"
                )))
            }
        };
        Ok(Self { key, descending })
    }
}

impl Sort {
    /// The requested order; by relevance when searching without one, else by id.
    pub fn resolve(sort: Option<&str>, q: Option<&str>) -> Result<Self, ApiError> {
        let sort = match sort {
            Some(text) => text.parse()?,
            None if q.is_some() => Self {
                key: SortKey::Rank,
                descending: false,
            },
            None => Self {
                key: SortKey::Id,
                descending: false,
            },
        };
        if sort.key == SortKey::Rank && q.is_none() {
            return Err(ApiError::BadRequest(
                "sort=rank needs a search term `q`".into(),
            ));
        }
        Ok(sort)
    }
}

/// The sort value of the last row of a page, with its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Key {
    pub sort: SortKey,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<f32>,
    pub id: i32,
}

/// What a row offers to the keyset.
pub struct RowKey<'a> {
    pub id: i32,
    pub title: &'a str,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub rank: f32,
}

impl Key {
    pub fn of(sort: Sort, row: RowKey) -> Self {
        let mut key = Self {
            sort: sort.key,
            text: None,
            time: None,
            rank: None,
            id: row.id,
        };
        match sort.key {
            SortKey::Id => {}
            SortKey::Title => key.text = Some(row.title.to_string()),
            SortKey::CreatedAt => key.time = Some(row.created_at),
            SortKey::UpdatedAt => key.time = Some(row.updated_at),
            SortKey::Rank => key.rank = Some(row.rank),
        }
        key
    }

    /// Decodes a cursor, which must come from a list with the same sort.
    pub fn decode(cursor: Option<&str>, sort: Sort) -> Result<Option<Self>, ApiError> {
        let Some(cursor) = cursor else {
            return Ok(None);
        };
        let key: Self = Cursor::decode(cursor)?;
        let complete = match sort.key {
            SortKey::Id => true,
            SortKey::Title => key.text.is_some(),
            SortKey::CreatedAt | SortKey::UpdatedAt => key.time.is_some(),
            SortKey::Rank => key.rank.is_some(),
        };
        if key.sort != sort.key || !complete {
            return Err(ApiError::BadRequest(
                "cursor belongs to a list with another sort; pass it back with the same parameters"
                    .into(),
            ));
        }
        Ok(Some(key))
    }
}

pub type Predicate<QS> = Box<dyn BoxableExpression<QS, Pg, SqlType = Bool>>;
pub type RankExpression<QS> = Box<dyn BoxableExpression<QS, Pg, SqlType = Float>>;
/// An ORDER BY clause (its SQL type is only there to satisfy diesel).
pub type OrderExpression<QS> = Box<dyn BoxableExpression<QS, Pg, SqlType = Integer>>;

/// The [`Window`] of a list's query parameters, checked: every searchable list's query has
/// the members `q`, `sort`, `cursor`, `limit` and `updated_since` (moved out of it).
macro_rules! window_of {
    ($params:expr) => {
        $crate::api::listing::Window::new(
            $params.q,
            $params.sort.as_deref(),
            $params.cursor.as_deref(),
            $params.limit,
            $params.updated_since,
        )
    };
}
pub(crate) use window_of;

/// Declares a searchable list's query parameters: its own filters, then the members every
/// searchable list shares, in the contract's order (`q`, `updated_since`, `sort`, `limit`,
/// `cursor`), which [`window_of!`] reads. The list names what `q` searches, what
/// `updated_since` selects and which orders `sort` takes, as the doc comments and examples of
/// those members.
macro_rules! searchable_query {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$field_meta:meta])* pub $field:ident: $type:ty,)*
        }
        q: { $(#[$q_meta:meta])* }
        updated_since: { $(#[$since_meta:meta])* }
        sort: { $(#[$sort_meta:meta])* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            $($(#[$field_meta])* pub $field: $type,)*
            $(#[$q_meta])*
            pub q: Option<String>,
            $(#[$since_meta])*
            #[param(value_type = Option<String>, format = DateTime, example = "2023-01-01T00:00:00Z")]
            pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
            $(#[$sort_meta])*
            pub sort: Option<String>,
            /// How many items to return, 1 to 1000 (default 50).
            #[param(minimum = 1, maximum = 1000, example = 50)]
            pub limit: Option<i64>,
            /// Where to continue: the `next_cursor` of the previous page, with the same parameters.
            #[param(example = "eyJzb3J0IjoiaWQiLCJpZCI6MTB9")]
            pub cursor: Option<String>,
        }
    };
}
pub(crate) use searchable_query;

/// What every searchable list shares: the search `q`, the change window `updated_since`, the
/// order, the position after the previous page and the page size.
#[derive(Debug)]
pub struct Window {
    pub q: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
    pub sort: Sort,
    pub after: Option<Key>,
    pub limit: i64,
}

impl Window {
    /// The window the list parameters ask for, checked: 400 for a bad sort, limit or cursor.
    pub fn new(
        q: Option<String>,
        sort: Option<&str>,
        cursor: Option<&str>,
        limit: Option<i64>,
        updated_since: Option<DateTime<Utc>>,
    ) -> Result<Self, ApiError> {
        if let Some(q) = &q {
            let too_long = q.chars().count() as u64 > limits::Q_MAX;
            if too_long || q.split_whitespace().count() > limits::Q_WORDS_MAX {
                return Err(ApiError::BadRequest(format!(
                    "q must be at most {} characters and {} words",
                    limits::Q_MAX,
                    limits::Q_WORDS_MAX
                )));
            }
        }
        let sort = Sort::resolve(sort, q.as_deref())?;
        Ok(Self {
            limit: page::limit(limit)?,
            after: Key::decode(cursor, sort)?,
            sort,
            q,
            updated_since,
        })
    }

    /// The relevance of each row of `table`, selected beside it (0 when not searching).
    pub fn rank<QS: 'static>(&self, table: &'static str) -> RankExpression<QS> {
        rank(table, self.q.as_deref())
    }

    /// The conditions the window puts on the rows of `table`.
    pub fn conditions<QS: 'static>(&self, table: &'static str) -> Vec<Predicate<QS>> {
        let mut conditions: Vec<Predicate<QS>> = Vec::new();
        if let Some(since) = self.updated_since {
            conditions.push(Box::new(
                Fixed::new(format!("{table}.updated_at >= ")).time(since),
            ));
        }
        if let Some(q) = &self.q {
            conditions.push(matches(table, q));
        }
        if let Some(key) = &self.after {
            conditions.push(after(table, self.sort, key.clone(), self.q.as_deref()));
        }
        conditions
    }

    /// The order of the rows of `table`, ties broken by id.
    pub fn order<QS: 'static>(&self, table: &'static str) -> OrderExpression<QS> {
        match (order_by(table, self.sort), &self.q) {
            (Some(order), _) => Box::new(Fixed::new(order)),
            (None, q) => Box::new(
                Fixed::new(ts_rank(table))
                    .text(q.clone().unwrap_or_default())
                    .sql(format!(")) DESC, {table}.id ASC")),
            ),
        }
    }

    /// How many rows to load: one more than the page, which only tells that more follow.
    pub fn rows(&self) -> i64 {
        self.limit + 1
    }

    /// The loaded rows (each with its rank) cut to the page, and the key to continue after
    /// when more follow.
    pub fn split<R>(
        &self,
        rows: Vec<(R, f32)>,
        row_key: impl for<'a> Fn(&'a R, f32) -> RowKey<'a>,
    ) -> (Vec<R>, Option<Key>) {
        let (rows, next) = page::split(rows, self.limit, |(row, rank)| {
            Key::of(self.sort, row_key(row, *rank))
        });
        (rows.into_iter().map(|(row, _)| row).collect(), next)
    }
}

/// The start of the relevance of a row of `table`; the search text is bound after it and
/// `))` closes it.
fn ts_rank(table: &str) -> String {
    format!("ts_rank({table}.search, websearch_to_tsquery('voortgang_dutch', ")
}

/// Rows matching the search `q` (websearch syntax: words, "phrases", -exclusions, or).
fn matches<QS: 'static>(table: &'static str, q: &str) -> Predicate<QS> {
    Box::new(
        Fixed::new(format!(
            "{table}.search @@ websearch_to_tsquery('voortgang_dutch', "
        ))
        .text(q)
        .sql(")"),
    )
}

/// The relevance of a row to `q`, or 0 when not searching.
fn rank<QS: 'static>(table: &'static str, q: Option<&str>) -> RankExpression<QS> {
    match q {
        Some(q) => Box::new(Fixed::new(ts_rank(table)).text(q).sql("))")),
        None => Box::new(Fixed::new("0::real")),
    }
}

/// The ORDER BY clause of a sort; `None` for relevance, which orders by [`rank`] descending
/// and then by id.
fn order_by(table: &'static str, sort: Sort) -> Option<String> {
    let direction = if sort.descending { "DESC" } else { "ASC" };
    let column = match sort.key {
        SortKey::Id => return Some(format!("{table}.id {direction}")),
        SortKey::Rank => return None,
        SortKey::Title => "title",
        SortKey::CreatedAt => "created_at",
        SortKey::UpdatedAt => "updated_at",
    };
    Some(format!(
        "{table}.{column} {direction}, {table}.id {direction}"
    ))
}

/// Rows after `key` in the order of `sort`.
fn after<QS: 'static>(table: &'static str, sort: Sort, key: Key, q: Option<&str>) -> Predicate<QS> {
    let cmp = if sort.descending { "<" } else { ">" };
    let id = key.id;
    // (column > value OR (column = value AND id > last id)), in the direction of the sort
    let tied = |column: &str| Fixed::new(format!("({table}.{column} {cmp} "));
    let id_after = format!(" AND {table}.id {cmp} ");
    match sort.key {
        SortKey::Id => Box::new(Fixed::new(format!("{table}.id {cmp} ")).integer(id)),
        SortKey::Title => {
            let value = key.text.unwrap_or_default();
            Box::new(
                tied("title")
                    .text(value.clone())
                    .sql(format!(" OR ({table}.title = "))
                    .text(value)
                    .sql(id_after)
                    .integer(id)
                    .sql("))"),
            )
        }
        SortKey::CreatedAt | SortKey::UpdatedAt => {
            let column = if sort.key == SortKey::CreatedAt {
                "created_at"
            } else {
                "updated_at"
            };
            let value = key.time.unwrap_or_default();
            Box::new(
                tied(column)
                    .time(value)
                    .sql(format!(" OR ({table}.{column} = "))
                    .time(value)
                    .sql(id_after)
                    .integer(id)
                    .sql("))"),
            )
        }
        SortKey::Rank => {
            // best first, ties by ascending id
            let value = key.rank.unwrap_or_default();
            let q = q.unwrap_or_default().to_string();
            let rank = ts_rank(table);
            Box::new(
                Fixed::new(format!("({rank}"))
                    .text(q.clone())
                    .sql(")) < ")
                    .float(value)
                    .sql(format!(" OR ({rank}"))
                    .text(q)
                    .sql(")) = ")
                    .float(value)
                    .sql(format!(" AND {table}.id > "))
                    .integer(id)
                    .sql("))"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whitelisted_sorts_are_accepted() {
        assert_eq!(
            "-title".parse::<Sort>().unwrap(),
            Sort {
                key: SortKey::Title,
                descending: true
            }
        );
        assert!("colour".parse::<Sort>().is_err());
        assert!("-rank".parse::<Sort>().is_err());
        assert!(Sort::resolve(Some("rank"), None).is_err());
        assert_eq!(
            Sort::resolve(None, Some("werkdruk")).unwrap().key,
            SortKey::Rank
        );
        assert_eq!(Sort::resolve(None, None).unwrap().key, SortKey::Id);
    }

    #[test]
    fn a_cursor_only_continues_its_own_sort() {
        let title = Sort {
            key: SortKey::Title,
            descending: false,
        };
        let now = Utc::now();
        let key = Key::of(
            title,
            RowKey {
                id: 3,
                title: "Hoge werkdruk",
                created_at: now,
                updated_at: now,
                rank: 0.0,
            },
        );
        let cursor = Cursor::encode(&key);
        assert_eq!(Key::decode(Some(&cursor), title).unwrap(), Some(key));
        let id = Sort {
            key: SortKey::Id,
            descending: false,
        };
        assert!(Key::decode(Some(&cursor), id).is_err());
    }
}
