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
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Float, Integer, Text, Timestamptz};
use diesel::QueryResult;

#[derive(Debug, Clone)]
enum Part {
    Sql(String),
    Text(String),
    Integer(i32),
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
                Part::Integer(value) => out.push_bind_param::<Integer, _>(value)?,
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
}
