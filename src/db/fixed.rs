//! SQL fragments whose text comes from a fixed set, so that the statements made of them are
//! prepared once per connection.
//!
//! diesel caches a statement by its SQL text unless a part of it says that the text may be
//! one of unboundedly many; `diesel::dsl::sql` always says so, since it cannot know where its
//! text came from. A [`Fixed`] fragment is built only from `&'static str`s and from names the
//! code chooses (a table, a column, a direction), and carries every value as a bound
//! parameter, so its text is one of few and PostgreSQL parses and plans the statement once
//! per connection instead of once per request.

use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use diesel::expression::{is_aggregate, AppearsOnTable, Expression, SelectableExpression};
use diesel::expression::{TypedExpressionType, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::Untyped;
use diesel::sql_types::{BigInt, Float, Integer, Nullable, Text, Timestamptz};
use diesel::{QueryResult, RunQueryDsl};

/// A piece of a [`Fixed`] fragment: SQL text from the code, or a value bound in its place.
#[derive(Debug, Clone)]
pub enum Part {
    Sql(String),
    Text(String),
    OptionalText(Option<String>),
    Integer(i32),
    OptionalInteger(Option<i32>),
    BigInt(i64),
    Float(f32),
    Time(DateTime<Utc>),
}

/// A fragment of SQL of type `ST`: text from the code, values bound.
#[derive(Debug, Clone)]
pub struct Fixed<ST> {
    parts: Vec<Part>,
    sql_type: PhantomData<ST>,
}

impl<ST> Fixed<ST> {
    /// Starts with `sql`, which names only what the code chose (never a request's value).
    pub fn new(sql: impl Into<String>) -> Self {
        Self {
            parts: vec![Part::Sql(sql.into())],
            sql_type: PhantomData,
        }
    }

    /// A statement written with numbered parameters (`$1`, `$2`, ...; each may stand more than
    /// once), with their values: every occurrence becomes a bound value of its own.
    pub fn numbered(sql: &str, values: &[Part]) -> Self {
        let mut fixed = Self::new(String::new());
        let mut rest = sql;
        while let Some(at) = rest.find('$') {
            let digits = rest[at + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .count();
            let number: Option<usize> = rest[at + 1..at + 1 + digits].parse().ok();
            match number.and_then(|n| values.get(n.checked_sub(1)?)) {
                Some(value) => {
                    fixed.parts.push(Part::Sql(rest[..at].to_string()));
                    fixed.parts.push(value.clone());
                    rest = &rest[at + 1 + digits..];
                }
                None => {
                    fixed.parts.push(Part::Sql(rest[..=at].to_string()));
                    rest = &rest[at + 1..];
                }
            }
        }
        fixed.parts.push(Part::Sql(rest.to_string()));
        fixed
    }

    /// Appends more SQL text.
    pub fn sql(mut self, sql: impl Into<String>) -> Self {
        self.parts.push(Part::Sql(sql.into()));
        self
    }

    pub fn text(mut self, value: impl Into<String>) -> Self {
        self.parts.push(Part::Text(value.into()));
        self
    }

    pub fn integer(mut self, value: i32) -> Self {
        self.parts.push(Part::Integer(value));
        self
    }

    pub fn float(mut self, value: f32) -> Self {
        self.parts.push(Part::Float(value));
        self
    }

    pub fn time(mut self, value: DateTime<Utc>) -> Self {
        self.parts.push(Part::Time(value));
        self
    }
}

impl<ST: TypedExpressionType> Expression for Fixed<ST> {
    type SqlType = ST;
}

impl<ST> QueryFragment<Pg> for Fixed<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for part in &self.parts {
            match part {
                Part::Sql(sql) => out.push_sql(sql),
                Part::Text(value) => out.push_bind_param::<Text, _>(value)?,
                Part::OptionalText(value) => out.push_bind_param::<Nullable<Text>, _>(value)?,
                Part::Integer(value) => out.push_bind_param::<Integer, _>(value)?,
                Part::OptionalInteger(value) => {
                    out.push_bind_param::<Nullable<Integer>, _>(value)?
                }
                Part::BigInt(value) => out.push_bind_param::<BigInt, _>(value)?,
                Part::Float(value) => out.push_bind_param::<Float, _>(value)?,
                Part::Time(value) => out.push_bind_param::<Timestamptz, _>(value)?,
            }
        }
        Ok(())
    }
}

impl<ST> QueryId for Fixed<ST> {
    type QueryId = ();

    const HAS_STATIC_QUERY_ID: bool = false;
}

/// A whole statement, whose rows are of type `ST`.
impl<ST: TypedExpressionType> Query for Fixed<ST> {
    type SqlType = ST;
}

impl<ST, Conn> RunQueryDsl<Conn> for Fixed<ST> {}

/// A whole statement written with numbered parameters whose rows are read by column name
/// (`QueryableByName`), like `diesel::sql_query`'s, but prepared once per connection:
/// `sql_query` is never kept, since its text may come from anywhere, while this one's is a
/// `&'static str`.
pub struct ByName(Fixed<Untyped>);

impl ByName {
    /// The statement `sql` with the values of `$1`, `$2`, ... (see [`Fixed::numbered`]).
    pub fn new(sql: &'static str, values: &[Part]) -> Self {
        Self(Fixed::numbered(sql, values))
    }
}

impl QueryFragment<Pg> for ByName {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(out)
    }
}

impl QueryId for ByName {
    type QueryId = ();

    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for ByName {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for ByName {}

impl<QS, ST: TypedExpressionType> SelectableExpression<QS> for Fixed<ST> {}

impl<QS, ST: TypedExpressionType> AppearsOnTable<QS> for Fixed<ST> {}

impl<ST, GB> ValidGrouping<GB> for Fixed<ST> {
    type IsAggregate = is_aggregate::Never;
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::sql_types::Bool;

    #[test]
    fn a_fixed_fragment_can_be_cached_and_a_literal_cannot() {
        let fixed = Fixed::<Bool>::new("actions.id > ").integer(3);
        assert!(QueryFragment::<Pg>::is_safe_to_cache_prepared(&fixed, &Pg).unwrap());
        let literal = diesel::dsl::sql::<Bool>("actions.id > 3");
        assert!(!QueryFragment::<Pg>::is_safe_to_cache_prepared(&literal, &Pg).unwrap());
    }

    #[test]
    fn a_statement_read_by_name_is_kept_and_sql_query_is_not() {
        let statement = ByName::new("SELECT $1 AS year", &[Part::Integer(2023)]);
        assert!(QueryFragment::<Pg>::is_safe_to_cache_prepared(&statement, &Pg).unwrap());
        let query = diesel::sql_query("SELECT $1 AS year").bind::<Integer, _>(2023);
        assert!(!QueryFragment::<Pg>::is_safe_to_cache_prepared(&query, &Pg).unwrap());
    }

    #[test]
    fn numbered_parameters_become_one_bound_value_per_occurrence() {
        let fixed = Fixed::<Bool>::numbered(
            "($1 IS NULL OR a > $1) LIMIT $2 -- $9 and $x stay",
            &[Part::OptionalText(Some("k".into())), Part::BigInt(5)],
        );
        let sql = diesel::debug_query::<Pg, _>(&fixed).to_string();
        assert!(
            sql.starts_with("($1 IS NULL OR a > $2) LIMIT $3 -- $9 and $x stay"),
            "{sql}"
        );
        assert!(sql.contains(r#"binds: [Some("k"), Some("k"), 5]"#), "{sql}");
    }
}
