//! Criterion queries.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::dto::{Criterion, CriterionPatch, NewCriterion};
use crate::api::ordering::{self, Siblings};
use crate::api::Precondition;
use crate::audit;
use crate::audit::EntityType;
use crate::auth::Principal;
use crate::db::schema::criteria;
use crate::domains;
use crate::error::ApiError;
use crate::links;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = criteria)]
struct CriterionRow {
    id: i32,
    domain_id: String,
    text: String,
    position: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<CriterionRow> for Criterion {
    fn from(row: CriterionRow) -> Self {
        Self {
            id: row.id,
            domain_id: row.domain_id,
            text: row.text,
            position: row.position,
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        }
    }
}

/// The criteria of several domains in one query, in order, by domain.
pub fn of_domains(
    conn: &mut PgConnection,
    domain_ids: &[&str],
) -> QueryResult<HashMap<String, Vec<Criterion>>> {
    let rows = criteria::table
        .filter(criteria::domain_id.eq_any(domain_ids))
        .select(CriterionRow::as_select())
        .order((criteria::domain_id, criteria::position))
        .load(conn)?;
    Ok(links::grouped(
        rows.into_iter()
            .map(|row| (row.domain_id.clone(), Criterion::from(row)))
            .collect(),
    ))
}

/// The sort key of a domain's criteria list.
pub fn key(criterion: &Criterion) -> i32 {
    criterion.position
}

/// Up to `limit` criteria of a domain after position `after`.
pub fn list(
    conn: &mut PgConnection,
    domain_id: &str,
    after: Option<i32>,
    limit: i64,
) -> Result<Vec<Criterion>, ApiError> {
    domains::repo::ensure_exists(conn, domain_id)?;
    let rows = criteria::table
        .filter(criteria::domain_id.eq(domain_id))
        .filter(criteria::position.gt(after.unwrap_or(0)))
        .select(CriterionRow::as_select())
        .order(criteria::position)
        .limit(limit)
        .load(conn)?;
    Ok(rows.into_iter().map(Criterion::from).collect())
}

fn not_found(domain_id: &str, id: i32) -> ApiError {
    ApiError::NotFound(format!(
        "The domain `{domain_id}` has no criterion with id {id}."
    ))
}

pub fn find(conn: &mut PgConnection, domain_id: &str, id: i32) -> Result<Criterion, ApiError> {
    criteria::table
        .find(id)
        .filter(criteria::domain_id.eq(domain_id))
        .select(CriterionRow::as_select())
        .first(conn)
        .optional()?
        .map(Criterion::from)
        .ok_or_else(|| not_found(domain_id, id))
}

fn find_for_update(
    conn: &mut PgConnection,
    domain_id: &str,
    id: i32,
) -> Result<Criterion, ApiError> {
    criteria::table
        .find(id)
        .filter(criteria::domain_id.eq(domain_id))
        .select(CriterionRow::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .map(Criterion::from)
        .ok_or_else(|| not_found(domain_id, id))
}

pub fn create(
    conn: &mut PgConnection,
    principal: &Principal,
    domain_id: &str,
    new: NewCriterion,
) -> Result<Criterion, ApiError> {
    domains::repo::ensure_exists(conn, domain_id)?;
    let position = ordering::insert_at(conn, Siblings::CriteriaOf(domain_id), new.position)?;
    let row = diesel::insert_into(criteria::table)
        .values((
            criteria::domain_id.eq(domain_id),
            criteria::text.eq(&new.text),
            criteria::position.eq(position),
        ))
        .returning(CriterionRow::as_returning())
        .get_result(conn)?;
    let created = Criterion::from(row);
    audit::created(conn, principal, EntityType::Criterion, created.id, &created)?;
    Ok(created)
}

pub fn update(
    conn: &mut PgConnection,
    principal: &Principal,
    domain_id: &str,
    id: i32,
    patch: CriterionPatch,
    precondition: &Precondition,
) -> Result<Criterion, ApiError> {
    let current = find_for_update(conn, domain_id, id)?;
    precondition.check(&current)?;
    let text = patch.text.unwrap_or_else(|| current.text.clone());
    let position = match patch.position {
        Some(to) => ordering::move_to(conn, Siblings::CriteriaOf(domain_id), current.position, to)?,
        None => current.position,
    };
    let row = diesel::update(criteria::table.find(id))
        .set((
            criteria::text.eq(text),
            criteria::position.eq(position),
            criteria::updated_at.eq(diesel::dsl::now),
        ))
        .returning(CriterionRow::as_returning())
        .get_result(conn)?;
    let changed = Criterion::from(row);
    audit::changed(
        conn,
        principal,
        EntityType::Criterion,
        id,
        &current,
        &changed,
    )?;
    Ok(changed)
}

pub fn delete(
    conn: &mut PgConnection,
    principal: &Principal,
    domain_id: &str,
    id: i32,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    let current = find_for_update(conn, domain_id, id)?;
    precondition.check(&current)?;
    diesel::delete(criteria::table.find(id)).execute(conn)?;
    ordering::remove_at(conn, Siblings::CriteriaOf(domain_id), current.position)?;
    audit::deleted(conn, principal, EntityType::Criterion, id, &current)?;
    Ok(())
}
