//! Token queries.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::dto::{NewToken, Token};
use crate::audit;
use crate::audit::EntityType;
use crate::auth::{secret, Principal, Role};
use crate::db::schema::{api_token_departments, api_tokens};
use crate::error::ApiError;
use crate::links;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
struct TokenRow {
    id: i32,
    name: String,
    role: Role,
    secret_hash: Vec<u8>,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

fn departments_of(conn: &mut PgConnection, ids: &[i32]) -> QueryResult<HashMap<i32, Vec<String>>> {
    Ok(links::grouped(
        api_token_departments::table
            .filter(api_token_departments::token_id.eq_any(ids))
            .select((
                api_token_departments::token_id,
                api_token_departments::department_id,
            ))
            .order((
                api_token_departments::token_id,
                api_token_departments::department_id,
            ))
            .load(conn)?,
    ))
}

fn assemble(conn: &mut PgConnection, rows: Vec<TokenRow>) -> QueryResult<Vec<Token>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let mut departments = departments_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| Token {
            department_ids: departments.remove(&row.id).unwrap_or_default(),
            id: row.id,
            name: row.name,
            role: row.role,
            created_at: row.created_at.into(),
            last_used_at: row.last_used_at.map(Into::into),
            expires_at: row.expires_at.map(Into::into),
            revoked_at: row.revoked_at.map(Into::into),
        })
        .collect())
}

/// The principal a secret stands for, if it belongs to a token that is neither revoked nor
/// expired. Records the use, at most once a minute.
pub fn authenticate(
    conn: &mut PgConnection,
    presented: &str,
) -> Result<Option<Principal>, ApiError> {
    let hash = secret::hash(presented);
    let row = api_tokens::table
        .filter(api_tokens::secret_hash.eq(&hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(
            api_tokens::expires_at
                .is_null()
                .or(api_tokens::expires_at.gt(diesel::dsl::now)),
        )
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row.filter(|row| secret::same(&row.secret_hash, &hash)) else {
        return Ok(None);
    };
    let stale = row
        .last_used_at
        .is_none_or(|used| Utc::now() - used > chrono::Duration::minutes(1));
    if stale {
        diesel::update(api_tokens::table.find(row.id))
            .set(api_tokens::last_used_at.eq(diesel::dsl::now))
            .execute(conn)?;
    }
    let departments = departments_of(conn, &[row.id])?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(Some(Principal {
        name: row.name,
        token_id: Some(row.id),
        role: Some(row.role),
        departments,
        request_id: None,
    }))
}

pub fn list(
    conn: &mut PgConnection,
    after: Option<i32>,
    limit: i64,
) -> Result<Vec<Token>, ApiError> {
    let rows = api_tokens::table
        .filter(api_tokens::id.gt(after.unwrap_or(0)))
        .select(TokenRow::as_select())
        .order(api_tokens::id)
        .limit(limit)
        .load(conn)?;
    Ok(assemble(conn, rows)?)
}

/// The sort key of the token list.
pub fn key(token: &Token) -> i32 {
    token.id
}

fn not_found(id: i32) -> ApiError {
    ApiError::NotFound(format!("There is no token with id {id}."))
}

pub fn find(conn: &mut PgConnection, id: i32) -> Result<Token, ApiError> {
    let row = api_tokens::table
        .find(id)
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))?;
    Ok(assemble(conn, vec![row])?.remove(0))
}

/// Creates a token and returns it with its secret.
pub fn create(
    conn: &mut PgConnection,
    principal: &Principal,
    new: NewToken,
) -> Result<(Token, String), ApiError> {
    let departments = links::normalised(new.department_ids);
    match (new.role, departments.is_empty()) {
        (Role::Editor, true) => {
            return Err(ApiError::invalid(
                "department_ids",
                "an editor needs at least one department",
            ))
        }
        (Role::Reader | Role::Reviewer | Role::Admin, false) => {
            return Err(ApiError::invalid(
                "department_ids",
                "only editors have departments",
            ))
        }
        _ => {}
    }
    if new.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(ApiError::invalid("expires_at", "must be in the future"));
    }
    links::departments(conn, &departments, "department_ids")?;
    let taken: bool = diesel::select(diesel::dsl::exists(
        api_tokens::table.filter(api_tokens::name.eq(&new.name)),
    ))
    .get_result(conn)?;
    if taken {
        return Err(ApiError::Conflict(format!(
            "A token named `{}` already exists.",
            new.name
        )));
    }
    let secret = secret::generate();
    let id: i32 = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::name.eq(&new.name),
            api_tokens::role.eq(new.role),
            api_tokens::secret_hash.eq(secret::hash(&secret)),
            api_tokens::expires_at.eq(new.expires_at),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    let rows: Vec<_> = departments
        .iter()
        .map(|d| {
            (
                api_token_departments::token_id.eq(id),
                api_token_departments::department_id.eq(d),
            )
        })
        .collect();
    diesel::insert_into(api_token_departments::table)
        .values(rows)
        .execute(conn)?;
    let created = find(conn, id)?;
    audit::created(conn, principal, EntityType::Token, id, &created)?;
    Ok((created, secret))
}

/// Revokes a token; it stops working at once. Revoking twice changes nothing.
pub fn revoke(conn: &mut PgConnection, principal: &Principal, id: i32) -> Result<Token, ApiError> {
    let current = find(conn, id)?;
    if current.name == principal.name {
        return Err(ApiError::Conflict(format!(
            "The token `{}` cannot revoke itself: its holder would be locked out. Revoke it \
             with another admin token (or replace VOORTGANG_ADMIN_TOKEN for \
             `admin-from-environment`).",
            current.name
        )));
    }
    diesel::update(
        api_tokens::table
            .find(id)
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)?;
    let revoked = find(conn, id)?;
    audit::changed(conn, principal, EntityType::Token, id, &current, &revoked)?;
    Ok(revoked)
}

/// Makes `secret` an admin token named `name` (VOORTGANG_ADMIN_TOKEN), replacing an older
/// secret of that name.
pub fn ensure_admin(conn: &mut PgConnection, name: &str, secret: &str) -> QueryResult<()> {
    let hash = secret::hash(secret);
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::name.eq(name),
            api_tokens::role.eq(Role::Admin),
            api_tokens::secret_hash.eq(&hash),
        ))
        .on_conflict(api_tokens::name)
        .do_update()
        .set((
            api_tokens::role.eq(Role::Admin),
            api_tokens::secret_hash.eq(&hash),
            api_tokens::revoked_at.eq(None::<DateTime<Utc>>),
            api_tokens::expires_at.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether any token exists.
pub fn any(conn: &mut PgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        api_tokens::table.select(api_tokens::id),
    ))
    .get_result(conn)
}
