//! Checks that the rows a write links to exist, so a dangling link is a 422 naming the field
//! (the foreign keys guarantee it; these checks explain it).

use diesel::pg::PgConnection;
use diesel::prelude::*;

use crate::db::schema::{actions, departments, domains, risks, themes};
use crate::error::ApiError;

fn missing<T: PartialEq + ToString>(wanted: &[T], found: &[T]) -> Vec<String> {
    wanted
        .iter()
        .filter(|w| !found.contains(w))
        .map(ToString::to_string)
        .collect()
}

fn report(field: &str, what: &str, missing: Vec<String>) -> Result<(), ApiError> {
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(
            field,
            format!("there is no {what} {}", missing.join(", ")),
        ))
    }
}

pub fn domains(conn: &mut PgConnection, ids: &[String], field: &str) -> Result<(), ApiError> {
    let found: Vec<String> = domains::table
        .filter(domains::id.eq_any(ids))
        .select(domains::id)
        .load(conn)?;
    report(field, "domain", missing(ids, &found))
}

pub fn department(conn: &mut PgConnection, id: Option<&str>, field: &str) -> Result<(), ApiError> {
    let Some(id) = id else { return Ok(()) };
    let found: Vec<String> = departments::table
        .filter(departments::id.eq(id))
        .select(departments::id)
        .load(conn)?;
    report(field, "department", missing(&[id.to_string()], &found))
}

pub fn themes(conn: &mut PgConnection, codes: &[String], field: &str) -> Result<(), ApiError> {
    let found: Vec<String> = themes::table
        .filter(themes::code.eq_any(codes))
        .select(themes::code)
        .load(conn)?;
    report(field, "theme", missing(codes, &found))
}

pub fn risks(conn: &mut PgConnection, ids: &[i32], field: &str) -> Result<(), ApiError> {
    let found: Vec<i32> = risks::table
        .filter(risks::id.eq_any(ids))
        .select(risks::id)
        .load(conn)?;
    report(field, "risk", missing(ids, &found))
}

pub fn action(conn: &mut PgConnection, id: Option<i32>, field: &str) -> Result<(), ApiError> {
    let Some(id) = id else { return Ok(()) };
    let found: Vec<i32> = actions::table
        .filter(actions::id.eq(id))
        .select(actions::id)
        .load(conn)?;
    report(field, "action", missing(&[id], &found))
}

/// Sorted, without duplicates: the stored form of a set of links.
pub fn normalised<T: Ord>(mut values: Vec<T>) -> Vec<T> {
    values.sort();
    values.dedup();
    values
}

/// Groups `(owner, value)` pairs by owner, keeping their order.
pub fn grouped<K: std::hash::Hash + Eq, V>(
    pairs: Vec<(K, V)>,
) -> std::collections::HashMap<K, Vec<V>> {
    let mut groups: std::collections::HashMap<K, Vec<V>> = std::collections::HashMap::new();
    for (key, value) in pairs {
        groups.entry(key).or_default().push(value);
    }
    groups
}

pub fn departments(conn: &mut PgConnection, ids: &[String], field: &str) -> Result<(), ApiError> {
    let found: Vec<String> = departments::table
        .filter(departments::id.eq_any(ids))
        .select(departments::id)
        .load(conn)?;
    report(field, "department", missing(ids, &found))
}
