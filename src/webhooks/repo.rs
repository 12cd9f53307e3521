//! Webhook subscriptions and their deliveries.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use serde_json::json;

use super::dto::{
    Delivery, DeliveryStatus, EventType, NewWebhook, Payload, Webhook, WebhookPatch, WebhookState,
};
use super::events;
use super::queue;
use super::sign;
use super::target::AllowedHosts;
use crate::api::Precondition;
use crate::audit;
use crate::audit::EntityType;
use crate::auth::Principal;
use crate::db::schema::{webhook_deliveries, webhooks};
use crate::error::ApiError;
use crate::links;

/// How long the secret before a rotation still signs, beside the new one.
pub const ROTATION_GRACE_HOURS: i64 = 24;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
struct WebhookRow {
    id: i32,
    url: String,
    description: Option<String>,
    event_types: Vec<Option<String>>,
    department_id: Option<String>,
    payload: Payload,
    active: bool,
    state: WebhookState,
    previous_secret_until: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<WebhookRow> for Webhook {
    fn from(row: WebhookRow) -> Self {
        let mut event_types: Vec<EventType> = row
            .event_types
            .iter()
            .flatten()
            .filter_map(|t| t.parse().ok())
            .collect();
        event_types.sort();
        Self {
            id: row.id,
            url: row.url,
            description: row.description,
            event_types,
            department_id: row.department_id,
            payload: row.payload,
            active: row.active,
            state: row.state,
            previous_secret_until: row
                .previous_secret_until
                .filter(|until| *until > Utc::now())
                .map(Into::into),
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        }
    }
}

fn not_found(id: i32) -> ApiError {
    ApiError::NotFound(format!("There is no webhook with id {id}."))
}

/// The sort key of the webhook list.
pub fn key(webhook: &Webhook) -> i32 {
    webhook.id
}

pub fn list(
    conn: &mut PgConnection,
    after: Option<i32>,
    limit: i64,
) -> Result<Vec<Webhook>, ApiError> {
    Ok(webhooks::table
        .filter(webhooks::id.gt(after.unwrap_or(0)))
        .select(WebhookRow::as_select())
        .order(webhooks::id)
        .limit(limit)
        .load(conn)?
        .into_iter()
        .map(Webhook::from)
        .collect())
}

pub fn find(conn: &mut PgConnection, id: i32) -> Result<Webhook, ApiError> {
    webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()?
        .map(Webhook::from)
        .ok_or_else(|| not_found(id))
}

fn find_for_update(conn: &mut PgConnection, id: i32) -> Result<Webhook, ApiError> {
    webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .map(Webhook::from)
        .ok_or_else(|| not_found(id))
}

/// 422 unless `url` may be subscribed.
fn check_url(hosts: &AllowedHosts, url: &str) -> Result<(), ApiError> {
    hosts
        .check(url)
        .map(|_| ())
        .map_err(|why| ApiError::invalid("url", format!("The target URL {why}.")))
}

fn type_names(types: &[EventType]) -> Vec<String> {
    let mut names: Vec<String> = types.iter().map(|t| t.as_str().to_string()).collect();
    names.sort();
    names.dedup();
    names
}

/// Creates a subscription; answers it with its secret.
pub fn create(
    conn: &mut PgConnection,
    principal: &Principal,
    hosts: &AllowedHosts,
    new: NewWebhook,
) -> Result<(Webhook, String), ApiError> {
    check_url(hosts, &new.url)?;
    links::department(conn, new.department_id.as_deref(), "department_id")?;
    let secret = sign::new_secret();
    let row = diesel::insert_into(webhooks::table)
        .values((
            webhooks::url.eq(&new.url),
            webhooks::description.eq(&new.description),
            webhooks::event_types.eq(type_names(&new.event_types)),
            webhooks::department_id.eq(&new.department_id),
            webhooks::payload.eq(new.payload),
            webhooks::active.eq(new.active),
            webhooks::secret.eq(&secret),
        ))
        .returning(WebhookRow::as_returning())
        .get_result(conn)?;
    let created = Webhook::from(row);
    audit::created(conn, principal, EntityType::Webhook, created.id, &created)?;
    Ok((created, secret))
}

pub fn update(
    conn: &mut PgConnection,
    principal: &Principal,
    hosts: &AllowedHosts,
    id: i32,
    patch: WebhookPatch,
    precondition: &Precondition,
) -> Result<Webhook, ApiError> {
    let current = find_for_update(conn, id)?;
    precondition.check(&current)?;
    let url = patch.url.unwrap_or_else(|| current.url.clone());
    check_url(hosts, &url)?;
    let department_id = patch
        .department_id
        .unwrap_or_else(|| current.department_id.clone());
    links::department(conn, department_id.as_deref(), "department_id")?;
    let active = patch.active.unwrap_or(current.active);
    // switching a subscription on makes it healthy again: its pending messages are sent
    let state = if patch.active == Some(true) {
        WebhookState::Healthy
    } else {
        current.state
    };
    let row = diesel::update(webhooks::table.find(id))
        .set((
            webhooks::url.eq(&url),
            webhooks::description.eq(patch
                .description
                .unwrap_or_else(|| current.description.clone())),
            webhooks::event_types.eq(type_names(
                patch.event_types.as_deref().unwrap_or(&current.event_types),
            )),
            webhooks::department_id.eq(&department_id),
            webhooks::payload.eq(patch.payload.unwrap_or(current.payload)),
            webhooks::active.eq(active),
            webhooks::state.eq(state),
            webhooks::updated_at.eq(diesel::dsl::now),
        ))
        .returning(WebhookRow::as_returning())
        .get_result(conn)?;
    let changed = Webhook::from(row);
    audit::changed(conn, principal, EntityType::Webhook, id, &current, &changed)?;
    Ok(changed)
}

pub fn delete(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    let current = find_for_update(conn, id)?;
    precondition.check(&current)?;
    diesel::delete(webhooks::table.find(id)).execute(conn)?;
    audit::deleted(conn, principal, EntityType::Webhook, id, &current)
}

/// A new secret; the previous one keeps signing (beside it) for [`ROTATION_GRACE_HOURS`].
pub fn rotate(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
) -> Result<(Webhook, String), ApiError> {
    let current = find_for_update(conn, id)?;
    let secret = sign::new_secret();
    let row = diesel::update(webhooks::table.find(id))
        .set((
            webhooks::previous_secret.eq(webhooks::secret.nullable()),
            webhooks::previous_secret_until
                .eq(Utc::now() + chrono::Duration::hours(ROTATION_GRACE_HOURS)),
            webhooks::secret.eq(&secret),
            webhooks::updated_at.eq(diesel::dsl::now),
        ))
        .returning(WebhookRow::as_returning())
        .get_result(conn)?;
    let rotated = Webhook::from(row);
    audit::changed(conn, principal, EntityType::Webhook, id, &current, &rotated)?;
    Ok((rotated, secret))
}

/// Marks a subscription failing (the service's own write, with its audit event).
pub fn mark_failing(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
) -> Result<(), ApiError> {
    let current = find_for_update(conn, id)?;
    if current.state == WebhookState::Failing {
        return Ok(());
    }
    let row = diesel::update(webhooks::table.find(id))
        .set((
            webhooks::state.eq(WebhookState::Failing),
            webhooks::updated_at.eq(diesel::dsl::now),
        ))
        .returning(WebhookRow::as_returning())
        .get_result(conn)?;
    audit::changed(
        conn,
        principal,
        EntityType::Webhook,
        id,
        &current,
        &Webhook::from(row),
    )
}

/// Queues a `ping` to the subscription, whatever its event types; answers the delivery.
pub fn ping(conn: &mut PgConnection, id: i32) -> Result<Delivery, ApiError> {
    let webhook = find_for_update(conn, id)?;
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).expect("the operating system provides random bytes");
    let message = format!("msg_ping_{}", hex::encode(random));
    let data = json!({"webhook_id": webhook.id, "link": format!("/api/v1/webhooks/{id}")});
    let body = events::envelope(EventType::Ping, Utc::now(), data);
    let mut ping = queue::Queued::default();
    ping.push(id, message.clone(), EventType::Ping, None, body);
    ping.insert(conn)?;
    let row = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(id))
        .filter(webhook_deliveries::message_id.eq(&message))
        .select(DeliveryRow::as_select())
        .first(conn)?;
    Ok(Delivery::from(row))
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
struct DeliveryRow {
    id: i64,
    webhook_id: i32,
    message_id: String,
    event_type: String,
    audit_event_id: Option<i64>,
    body: serde_json::Value,
    status: DeliveryStatus,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    last_attempt_at: Option<DateTime<Utc>>,
    last_status: Option<i32>,
    last_duration_ms: Option<i32>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
}

impl From<DeliveryRow> for Delivery {
    fn from(row: DeliveryRow) -> Self {
        Self {
            id: row.id,
            webhook_id: row.webhook_id,
            message_id: row.message_id,
            event_type: row.event_type.parse().unwrap_or(EventType::Ping),
            audit_event_id: row.audit_event_id,
            next_attempt_at: (row.status == DeliveryStatus::Pending)
                .then_some(row.next_attempt_at.into()),
            status: row.status,
            attempts: row.attempts,
            last_status: row.last_status,
            last_duration_ms: row.last_duration_ms,
            last_error: row.last_error,
            last_attempt_at: row.last_attempt_at.map(Into::into),
            delivered_at: row.delivered_at.map(Into::into),
            created_at: row.created_at.into(),
            body: row.body,
        }
    }
}

/// The sort key of the delivery list (newest first).
pub fn delivery_key(delivery: &Delivery) -> i64 {
    delivery.id
}

/// A subscription's deliveries, newest first.
pub fn deliveries(
    conn: &mut PgConnection,
    webhook_id: i32,
    status: Option<DeliveryStatus>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Delivery>, ApiError> {
    find(conn, webhook_id)?;
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .filter(webhook_deliveries::id.lt(before.unwrap_or(i64::MAX)))
        .select(DeliveryRow::as_select())
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(webhook_deliveries::status.eq(status));
    }
    Ok(query.load(conn)?.into_iter().map(Delivery::from).collect())
}

pub fn delivery(conn: &mut PgConnection, webhook_id: i32, id: i64) -> Result<Delivery, ApiError> {
    find(conn, webhook_id)?;
    webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .filter(webhook_deliveries::id.eq(id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?
        .map(Delivery::from)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "The webhook {webhook_id} has no delivery with id {id}."
            ))
        })
}

/// Sends a delivery again: it becomes pending and due now, with the same `webhook-id`, and
/// a failing subscription becomes healthy. A delivery still pending is left as it is.
pub fn redeliver(
    conn: &mut PgConnection,
    principal: &Principal,
    webhook_id: i32,
    id: i64,
) -> Result<Delivery, ApiError> {
    let webhook = find_for_update(conn, webhook_id)?;
    let current = delivery(conn, webhook_id, id)?;
    if current.status != DeliveryStatus::Pending {
        diesel::update(webhook_deliveries::table.find(id))
            .set((
                webhook_deliveries::status.eq(DeliveryStatus::Pending),
                webhook_deliveries::next_attempt_at.eq(diesel::dsl::now),
                webhook_deliveries::lease_until.eq(None::<DateTime<Utc>>),
                webhook_deliveries::first_attempt_at.eq(None::<DateTime<Utc>>),
                webhook_deliveries::delivered_at.eq(None::<DateTime<Utc>>),
            ))
            .execute(conn)?;
    }
    if webhook.state == WebhookState::Failing {
        let row = diesel::update(webhooks::table.find(webhook_id))
            .set((
                webhooks::state.eq(WebhookState::Healthy),
                webhooks::updated_at.eq(diesel::dsl::now),
            ))
            .returning(WebhookRow::as_returning())
            .get_result(conn)?;
        let healthy = Webhook::from(row);
        audit::changed(
            conn,
            principal,
            EntityType::Webhook,
            webhook_id,
            &webhook,
            &healthy,
        )?;
    }
    delivery(conn, webhook_id, id)
}
