//! Checks on the rows a write links to: that they exist, so a dangling link is a 422 naming the
//! field (the foreign keys guarantee it; these checks explain it), and that an editor links only
//! to what its departments own, so no department's write ties another department's rows.

use diesel::pg::PgConnection;
use diesel::prelude::*;

use crate::auth::{Principal, Role};
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

/// An editor links an action (as `parent_id`) or a risk (as `risk_ids`) only when its
/// departments own it, or when no department does (a city-wide row, which only admins
/// change). Otherwise the other department could no longer delete its own row, and a cascade
/// of one department would rewrite another's. Reviewers and admins link freely.
fn ensure_may_link(
    principal: &Principal,
    owners: Vec<(i32, Option<String>)>,
    what: &str,
    field: &str,
) -> Result<(), ApiError> {
    if principal.role.is_some_and(Role::changes_every_department) {
        return Ok(());
    }
    let foreign: Vec<String> = owners
        .into_iter()
        .filter_map(|(id, owner)| {
            let owner = owner?;
            (!principal.departments.contains(&owner)).then(|| format!("{what} {id} (`{owner}`)"))
        })
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    Err(ApiError::Forbidden(format!(
        "The token `{}` may not link `{field}` to what another department owns: {}.",
        principal.name,
        foreign.join(", ")
    )))
}

/// Checks the actions newly linked as `field` (a parent): they exist, and the principal may
/// link them.
pub fn actions_to_link(
    conn: &mut PgConnection,
    principal: &Principal,
    ids: &[i32],
    field: &str,
) -> Result<(), ApiError> {
    let owners: Vec<(i32, Option<String>)> = actions::table
        .filter(actions::id.eq_any(ids))
        .select((actions::id, actions::department_id))
        .load(conn)?;
    may_link(principal, ids, owners, "action", field)
}

/// Checks the risks newly linked as `field`: they exist, and the principal may link them.
pub fn risks_to_link(
    conn: &mut PgConnection,
    principal: &Principal,
    ids: &[i32],
    field: &str,
) -> Result<(), ApiError> {
    let owners: Vec<(i32, Option<String>)> = risks::table
        .filter(risks::id.eq_any(ids))
        .select((risks::id, risks::department_id))
        .load(conn)?;
    may_link(principal, ids, owners, "risk", field)
}

/// That each of `ids` is among the `owners` found, and the principal may link them.
fn may_link(
    principal: &Principal,
    ids: &[i32],
    owners: Vec<(i32, Option<String>)>,
    what: &str,
    field: &str,
) -> Result<(), ApiError> {
    let found: Vec<i32> = owners.iter().map(|(id, _)| *id).collect();
    report(field, what, missing(ids, &found))?;
    ensure_may_link(principal, owners, what, field)
}
