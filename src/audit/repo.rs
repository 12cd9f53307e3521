//! Audit event queries.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::dto::{AuditEvent, EntityType, Operation};
use crate::auth::Principal;
use crate::db::schema::audit_events;
use crate::error::ApiError;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
struct EventRow {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    operation: Operation,
    entity_type: EntityType,
    entity_id: String,
    before: Option<Value>,
    after: Option<Value>,
    request_id: Option<String>,
    actor_token_id: Option<i32>,
}

impl From<EventRow> for AuditEvent {
    fn from(row: EventRow) -> Self {
        Self {
            id: row.id,
            at: row.at.into(),
            actor: row.actor,
            operation: row.operation,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            before: row.before,
            after: row.after,
            request_id: row.request_id,
            actor_id: row.actor_token_id,
        }
    }
}

/// The content of a representation, without the times that every write moves.
pub fn content(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(key, _)| !matches!(key.as_str(), "updated_at" | "last_used_at"))
                .map(|(key, member)| (key.clone(), content(member)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(content).collect()),
        other => other.clone(),
    }
}

/// Records a write of `entity_type` `entity_id`, in the caller's transaction. An update that
/// changed nothing but timestamps records nothing.
pub fn record<T: Serialize>(
    conn: &mut PgConnection,
    principal: &Principal,
    entity_type: EntityType,
    entity_id: impl ToString,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), ApiError> {
    let to_json = |value: Option<&T>| {
        value
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| ApiError::internal("audit", e))
    };
    let (before, after) = (to_json(before)?, to_json(after)?);
    let operation = match (&before, &after) {
        (None, Some(_)) => Operation::Create,
        (Some(_), None) => Operation::Delete,
        (Some(b), Some(a)) if content(b) == content(a) => return Ok(()),
        (Some(_), Some(_)) => Operation::Update,
        (None, None) => return Ok(()),
    };
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::actor.eq(&principal.name),
            audit_events::operation.eq(operation),
            audit_events::entity_type.eq(entity_type),
            audit_events::entity_id.eq(entity_id.to_string()),
            audit_events::before.eq(before),
            audit_events::after.eq(after),
            audit_events::request_id.eq(&principal.request_id),
            audit_events::actor_token_id.eq(principal.token_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records the create of `entity_type` `entity_id` (see [`record`]).
pub fn created<T: Serialize>(
    conn: &mut PgConnection,
    principal: &Principal,
    entity_type: EntityType,
    entity_id: impl ToString,
    after: &T,
) -> Result<(), ApiError> {
    record(conn, principal, entity_type, entity_id, None, Some(after))
}

/// Records a change of `entity_type` `entity_id`; nothing when only timestamps changed.
pub fn changed<T: Serialize>(
    conn: &mut PgConnection,
    principal: &Principal,
    entity_type: EntityType,
    entity_id: impl ToString,
    before: &T,
    after: &T,
) -> Result<(), ApiError> {
    record(
        conn,
        principal,
        entity_type,
        entity_id,
        Some(before),
        Some(after),
    )
}

/// Records the delete of `entity_type` `entity_id`.
pub fn deleted<T: Serialize>(
    conn: &mut PgConnection,
    principal: &Principal,
    entity_type: EntityType,
    entity_id: impl ToString,
    before: &T,
) -> Result<(), ApiError> {
    record(conn, principal, entity_type, entity_id, Some(before), None)
}

/// What the audit trail is asked for.
#[derive(Debug, Default)]
pub struct AuditFilter {
    pub entity_type: Option<EntityType>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub actor_id: Option<i32>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub after: Option<i64>,
    /// Whether the events about API tokens and webhooks are included (for admins).
    pub with_tokens: bool,
    pub limit: i64,
}

/// Events oldest first.
pub fn list(conn: &mut PgConnection, f: AuditFilter) -> Result<Vec<AuditEvent>, ApiError> {
    let mut query = audit_events::table
        .select(EventRow::as_select())
        .order(audit_events::id)
        .limit(f.limit)
        .into_boxed();
    if let Some(entity_type) = f.entity_type {
        query = query.filter(audit_events::entity_type.eq(entity_type));
    }
    if !f.with_tokens {
        query = query
            .filter(audit_events::entity_type.ne_all([EntityType::Token, EntityType::Webhook]));
    }
    if let Some(entity_id) = f.entity_id {
        query = query.filter(audit_events::entity_id.eq(entity_id));
    }
    if let Some(actor) = f.actor {
        query = query.filter(audit_events::actor.eq(actor));
    }
    if let Some(token) = f.actor_id {
        query = query.filter(audit_events::actor_token_id.eq(token));
    }
    if let Some(since) = f.since {
        query = query.filter(audit_events::at.ge(since));
    }
    if let Some(until) = f.until {
        query = query.filter(audit_events::at.lt(until));
    }
    if let Some(after) = f.after {
        query = query.filter(audit_events::id.gt(after));
    }
    Ok(query
        .load(conn)?
        .into_iter()
        .map(AuditEvent::from)
        .collect())
}

/// The events of one risk or action and of its yearly rows, newest first.
pub fn history(
    conn: &mut PgConnection,
    entity_type: EntityType,
    yearly_type: EntityType,
    id: i32,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEvent>, ApiError> {
    let own = audit_events::entity_type
        .eq(entity_type)
        .and(audit_events::entity_id.eq(id.to_string()));
    let yearly = audit_events::entity_type
        .eq(yearly_type)
        .and(audit_events::entity_id.like(format!("{id}/%")));
    let rows = audit_events::table
        .filter(own.or(yearly))
        .filter(audit_events::id.lt(before.unwrap_or(i64::MAX)))
        .select(EventRow::as_select())
        .order(audit_events::id.desc())
        .limit(limit)
        .load(conn)?;
    Ok(rows.into_iter().map(AuditEvent::from).collect())
}

/// The sort key of event lists.
pub fn key(event: &AuditEvent) -> i64 {
    event.id
}
