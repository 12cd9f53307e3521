//! Domain queries. A list costs two queries (domains, then their criteria), whatever its size.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::dto::{Domain, DomainPatch, NewDomain};
use crate::api::ordering::{self, Siblings};
use crate::api::{self, Precondition};
use crate::audit;
use crate::audit::EntityType;
use crate::auth::Principal;
use crate::db::schema::{action_domains, criteria as criteria_t, domains, risks};
use crate::domains::criteria;
use crate::error::ApiError;

#[derive(Debug, Queryable, Selectable, Identifiable, AsChangeset)]
#[diesel(table_name = domains, treat_none_as_null = true)]
struct DomainRow {
    id: String,
    name: String,
    description: Option<String>,
    position: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// The sort key of the domain list.
pub type DomainKey = (i32, String);

pub fn key(domain: &Domain) -> DomainKey {
    (domain.position, domain.id.clone())
}

/// Up to `limit` domains after `after` in report order, with their criteria.
pub fn list(
    conn: &mut PgConnection,
    after: Option<DomainKey>,
    limit: i64,
) -> Result<Vec<Domain>, ApiError> {
    let mut query = domains::table
        .select(DomainRow::as_select())
        .order((domains::position, domains::id))
        .limit(limit)
        .into_boxed();
    if let Some((position, id)) = after {
        query = query.filter(
            domains::position
                .gt(position)
                .or(domains::position.eq(position).and(domains::id.gt(id))),
        );
    }
    let rows = query.load(conn)?;
    with_criteria(conn, rows)
}

fn with_criteria(conn: &mut PgConnection, rows: Vec<DomainRow>) -> Result<Vec<Domain>, ApiError> {
    let ids: Vec<&str> = rows.iter().map(|d| d.id.as_str()).collect();
    let mut criteria = criteria::repo::of_domains(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let own = criteria.remove(&row.id).unwrap_or_default();
            into_domain(row, own)
        })
        .collect())
}

fn into_domain(row: DomainRow, criteria: Vec<criteria::dto::Criterion>) -> Domain {
    Domain {
        id: row.id,
        name: row.name,
        description: row.description,
        position: row.position,
        criteria,
        created_at: row.created_at.into(),
        updated_at: row.updated_at.into(),
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("There is no domain with id `{id}`."))
}

/// Fails with 404 unless the domain exists.
pub fn ensure_exists(conn: &mut PgConnection, id: &str) -> Result<(), ApiError> {
    let found: bool =
        diesel::select(diesel::dsl::exists(domains::table.find(id))).get_result(conn)?;
    found.then_some(()).ok_or_else(|| not_found(id))
}

/// One domain with its criteria.
pub fn find(conn: &mut PgConnection, id: &str) -> Result<Domain, ApiError> {
    let row = domains::table
        .find(id)
        .select(DomainRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))?;
    Ok(with_criteria(conn, vec![row])?.remove(0))
}

/// Locks the domain row for the rest of the transaction and returns the domain.
fn find_for_update(conn: &mut PgConnection, id: &str) -> Result<(DomainRow, Domain), ApiError> {
    let row = domains::table
        .find(id)
        .select(DomainRow::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))?;
    let domain = find(conn, id)?;
    Ok((row, domain))
}

pub fn create(
    conn: &mut PgConnection,
    principal: &Principal,
    new: NewDomain,
) -> Result<Domain, ApiError> {
    let taken: bool =
        diesel::select(diesel::dsl::exists(domains::table.find(&new.id))).get_result(conn)?;
    if taken {
        return Err(ApiError::Conflict(format!(
            "A domain with id `{}` already exists.",
            new.id
        )));
    }
    ensure_name_free(conn, &new.name, None)?;
    let position = ordering::insert_at(conn, Siblings::Domains, new.position)?;
    diesel::insert_into(domains::table)
        .values((
            domains::id.eq(&new.id),
            domains::name.eq(&new.name),
            domains::description.eq(&new.description),
            domains::position.eq(position),
        ))
        .execute(conn)?;
    let created = find(conn, &new.id)?;
    audit::created(conn, principal, EntityType::Domain, &created.id, &created)?;
    Ok(created)
}

fn ensure_name_free(
    conn: &mut PgConnection,
    name: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    let holder: Option<String> = domains::table
        .filter(domains::name.eq(name))
        .select(domains::id)
        .first(conn)
        .optional()?;
    api::ensure_name_free("domain", holder, name, except)
}

pub fn update(
    conn: &mut PgConnection,
    principal: &Principal,
    id: &str,
    patch: DomainPatch,
    precondition: &Precondition,
) -> Result<Domain, ApiError> {
    let (mut row, current) = find_for_update(conn, id)?;
    precondition.check(&current)?;
    if let Some(name) = patch.name {
        ensure_name_free(conn, &name, Some(id))?;
        row.name = name;
    }
    if let Some(description) = patch.description {
        row.description = description;
    }
    if let Some(position) = patch.position {
        row.position = ordering::move_to(conn, Siblings::Domains, row.position, position)?;
    }
    row.updated_at = Utc::now();
    diesel::update(&row).set(&row).execute(conn)?;
    let changed = find(conn, id)?;
    audit::changed(conn, principal, EntityType::Domain, id, &current, &changed)?;
    Ok(changed)
}

/// Deletes a domain that has nothing left in it.
pub fn delete(
    conn: &mut PgConnection,
    principal: &Principal,
    id: &str,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    let (row, current) = find_for_update(conn, id)?;
    precondition.check(&current)?;
    let criteria: i64 = criteria_t::table
        .filter(criteria_t::domain_id.eq(id))
        .count()
        .get_result(conn)?;
    let risks: i64 = risks::table
        .filter(risks::domain_id.eq(id))
        .count()
        .get_result(conn)?;
    let actions: i64 = action_domains::table
        .filter(action_domains::domain_id.eq(id))
        .count()
        .get_result(conn)?;
    if criteria + risks + actions > 0 {
        return Err(ApiError::Conflict(format!(
            "The domain `{id}` still has {criteria} criteria, {risks} risks and {actions} actions; remove or move them first."
        )));
    }
    diesel::delete(&row).execute(conn)?;
    ordering::remove_at(conn, Siblings::Domains, row.position)?;
    audit::deleted(conn, principal, EntityType::Domain, id, &current)?;
    Ok(())
}
