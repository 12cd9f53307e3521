//! The deliveries' queue in the database: the fan-out of audit events to deliveries, the
//! claim of the next message of a subscription, the outcome of an attempt, and the deadline
//! notices. Several service instances share it: a claim is a row lock taken with `SKIP
//! LOCKED` and a lease, so each message is sent by one instance at a time, and a message
//! whose instance died is taken over when its lease ends.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Jsonb, Nullable, Text, Timestamptz};
use serde_json::{json, Value};

use super::dto::{EventType, Payload};
use super::events::{self, Recorded};
use crate::audit::dto::Operation;
use crate::audit::EntityType;
use crate::auth::Principal;
use crate::db::fixed::{ByName, Part};
use crate::error::ApiError;

/// The actor of the service's own writes about webhooks (a subscription marked failing).
pub const ACTOR: &str = "webhooks";

#[derive(QueryableByName)]
struct Cursor {
    #[diesel(sql_type = Text)]
    xact: String,
    #[diesel(sql_type = BigInt)]
    event_id: i64,
}

#[derive(QueryableByName)]
struct EventRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    xact: String,
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    actor: String,
    #[diesel(sql_type = Text)]
    operation: Operation,
    #[diesel(sql_type = Text)]
    entity_type: EntityType,
    #[diesel(sql_type = Text)]
    entity_id: String,
    #[diesel(sql_type = Nullable<Jsonb>)]
    before: Option<Value>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    after: Option<Value>,
    #[diesel(sql_type = Nullable<Text>)]
    department_id: Option<String>,
}

#[derive(QueryableByName)]
struct Subscriber {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Array<Text>)]
    event_types: Vec<String>,
    #[diesel(sql_type = Nullable<Text>)]
    department_id: Option<String>,
    #[diesel(sql_type = Text)]
    payload: Payload,
    #[diesel(sql_type = Text)]
    since_xact: String,
}

/// The audit events after the cursor whose transactions are over (older than every
/// transaction still running), in transaction order, with the department each concerns.
const EVENTS: &str = "
SELECT e.id, e.xact_id::text AS xact, e.at, e.actor, e.operation, e.entity_type, e.entity_id,
       e.before, e.after,
       CASE
         WHEN e.entity_type IN ('action', 'risk', 'recommendation')
           THEN coalesce(e.after, e.before) ->> 'department_id'
         WHEN e.entity_type = 'action_status'
           THEN (SELECT department_id FROM actions WHERE id = split_part(e.entity_id, '/', 1)::int)
         WHEN e.entity_type = 'risk_assessment'
           THEN (SELECT department_id FROM risks WHERE id = split_part(e.entity_id, '/', 1)::int)
         WHEN e.entity_type = 'recommendation_status'
           THEN (SELECT department_id FROM recommendations
                 WHERE id = split_part(e.entity_id, '/', 1)::int)
       END AS department_id
FROM audit_events e
WHERE (e.xact_id, e.id) > ($1::text::xid8, $2)
  AND e.xact_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY e.xact_id, e.id
LIMIT $3";

/// Hands the audit events that are ready to the subscriptions that want them, as pending
/// deliveries, and moves the cursor past them; all in one transaction. Answers how many
/// events it read (0 when another instance is doing it).
pub fn fan_out(conn: &mut PgConnection, batch: i64) -> Result<usize, ApiError> {
    conn.transaction(|conn| {
        let cursor: Option<Cursor> = ByName::new(
            "SELECT xact_id::text AS xact, event_id FROM webhook_cursor FOR UPDATE SKIP LOCKED",
            &[],
        )
        .get_result(conn)
        .optional()?;
        let Some(cursor) = cursor else {
            return Ok(0);
        };
        let after = [
            Part::Text(cursor.xact),
            Part::BigInt(cursor.event_id),
            Part::BigInt(batch),
        ];
        let rows: Vec<EventRow> = ByName::new(EVENTS, &after).load(conn)?;
        let Some(last) = rows.last() else {
            return Ok(0);
        };
        let (last_xact, last_id) = (last.xact.clone(), last.id);
        // read after the events: a subscription committed before they were read is seen; a
        // delete of one waits for this transaction
        let subscribers: Vec<Subscriber> = ByName::new(
            "SELECT id, event_types, department_id, payload, since_xact::text AS since_xact \
             FROM webhooks WHERE active ORDER BY id FOR KEY SHARE",
            &[],
        )
        .load(conn)?;
        let count = rows.len();
        let mut queued = Queued::default();
        for row in rows {
            let xact: u64 = row.xact.parse().unwrap_or(0);
            let event = Recorded {
                id: row.id,
                at: row.at,
                actor: row.actor,
                operation: row.operation,
                entity_type: row.entity_type,
                entity_id: row.entity_id,
                before: row.before,
                after: row.after,
                department_id: row.department_id,
            };
            let Some(kind) = events::event_type(&event) else {
                continue;
            };
            for subscriber in &subscribers {
                let since: u64 = subscriber.since_xact.parse().unwrap_or(u64::MAX);
                let wanted = subscriber.event_types.iter().any(|t| t == kind.as_str());
                let department = match (&subscriber.department_id, &event.department_id) {
                    (Some(wanted), Some(concerned)) => wanted == concerned,
                    _ => true,
                };
                if xact >= since && wanted && department {
                    queued.push(
                        subscriber.id,
                        events::message_id(&event),
                        kind,
                        Some(event.id),
                        events::body(&event, kind, subscriber.payload),
                    );
                }
            }
        }
        queued.insert(conn)?;
        ByName::new(
            "UPDATE webhook_cursor SET xact_id = $1::text::xid8, event_id = $2",
            &[Part::Text(last_xact), Part::BigInt(last_id)],
        )
        .execute(conn)?;
        Ok(count)
    })
}

/// Messages to queue at once, as columns: one statement queues them all.
#[derive(Default)]
pub struct Queued {
    webhooks: Vec<i32>,
    messages: Vec<String>,
    kinds: Vec<&'static str>,
    events: Vec<Option<i64>>,
    bodies: Vec<Value>,
}

impl Queued {
    /// Adds the message `message_id` about `kind` for the subscription `webhook_id`.
    pub fn push(
        &mut self,
        webhook_id: i32,
        message_id: String,
        kind: EventType,
        audit_event_id: Option<i64>,
        body: Value,
    ) {
        self.webhooks.push(webhook_id);
        self.messages.push(message_id);
        self.kinds.push(kind.as_str());
        self.events.push(audit_event_id);
        self.bodies.push(body);
    }

    /// Queues them (nothing for a message already queued for its subscription).
    pub fn insert(self, conn: &mut PgConnection) -> QueryResult<()> {
        if self.webhooks.is_empty() {
            return Ok(());
        }
        diesel::sql_query(
            "INSERT INTO webhook_deliveries (webhook_id, message_id, event_type, audit_event_id, body) \
             SELECT * FROM unnest($1, $2, $3, $4, $5) ON CONFLICT (webhook_id, message_id) DO NOTHING",
        )
        .bind::<Array<Integer>, _>(self.webhooks)
        .bind::<Array<Text>, _>(self.messages)
        .bind::<Array<Text>, _>(self.kinds)
        .bind::<Array<Nullable<BigInt>>, _>(self.events)
        .bind::<Array<Jsonb>, _>(self.bodies)
        .execute(conn)?;
        Ok(())
    }
}

/// A message claimed for sending.
#[derive(Debug, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Integer)]
    pub webhook_id: i32,
    #[diesel(sql_type = Text)]
    pub message_id: String,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    pub first_attempt_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Array<Text>)]
    pub secrets: Vec<String>,
}

/// Claims the oldest due message of a subscription whose earlier messages are all sent:
/// messages go out in order, one at a time per subscription. Only each subscription's first
/// pending message is looked at (an index lookup per subscription), however many wait. The claim holds the message
/// for `lease`; an instance that dies with it leaves it to another once the lease ends.
pub fn claim(conn: &mut PgConnection, lease: Duration) -> QueryResult<Option<Claimed>> {
    diesel::sql_query(
        "WITH next AS (
           SELECT h.id FROM webhooks w
           CROSS JOIN LATERAL (SELECT id FROM webhook_deliveries
                               WHERE webhook_id = w.id AND status = 'pending'
                               ORDER BY id LIMIT 1) head
           JOIN webhook_deliveries h ON h.id = head.id
           WHERE w.active AND w.state = 'healthy' AND h.next_attempt_at <= now()
             AND (h.lease_until IS NULL OR h.lease_until < now())
           ORDER BY h.next_attempt_at, h.id
           LIMIT 1
           FOR UPDATE OF h SKIP LOCKED)
         UPDATE webhook_deliveries d
         SET lease_until = now() + make_interval(secs => $1),
             attempts = d.attempts + 1,
             first_attempt_at = coalesce(d.first_attempt_at, now()),
             last_attempt_at = now()
         FROM next, webhooks w
         WHERE d.id = next.id AND w.id = d.webhook_id
         RETURNING d.id, d.webhook_id, d.message_id, d.body::text AS body, d.attempts,
                   d.first_attempt_at, w.url,
                   array_remove(ARRAY[w.secret,
                       CASE WHEN w.previous_secret_until > now() THEN w.previous_secret END],
                       NULL) AS secrets",
    )
    .bind::<diesel::sql_types::Double, _>(lease.as_secs_f64())
    .get_result(conn)
    .optional()
}

/// How an attempt ended.
#[derive(Debug)]
pub struct Outcome {
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    pub duration: Duration,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

impl Outcome {
    pub fn delivered(&self) -> bool {
        self.error.is_none() && self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Records the outcome of attempt `claimed.attempts`. A failure is retried `retry_in` later,
/// unless the message has been failing for `give_up_after`: then it is `failed` and its
/// subscription `failing` (with an audit event), and nothing more is sent to it until a
/// delivery is redelivered. Nothing is recorded when another instance took the message over
/// meanwhile.
pub fn record(
    conn: &mut PgConnection,
    claimed: &Claimed,
    outcome: &Outcome,
    retry_in: Duration,
    give_up_after: Duration,
) -> Result<(), ApiError> {
    conn.transaction(|conn| {
        let status = outcome.status.map(i32::from);
        let millis = i32::try_from(outcome.duration.as_millis()).unwrap_or(i32::MAX);
        let error = outcome.error.as_deref().map(|e| truncate(e, 2000));
        let give_up = !outcome.delivered()
            && Utc::now() - claimed.first_attempt_at
                >= chrono::Duration::from_std(give_up_after).unwrap_or(chrono::Duration::MAX);
        let new_status = if outcome.delivered() {
            "delivered"
        } else if give_up {
            "failed"
        } else {
            "pending"
        };
        let changed = diesel::sql_query(
            "UPDATE webhook_deliveries SET status = $3, lease_until = NULL, last_status = $4,
                 last_duration_ms = $5, last_error = $6,
                 delivered_at = CASE WHEN $3 = 'delivered' THEN now() END,
                 next_attempt_at = now() + make_interval(secs => $7)
             WHERE id = $1 AND attempts = $2 AND status = 'pending'",
        )
        .bind::<BigInt, _>(claimed.id)
        .bind::<Integer, _>(claimed.attempts)
        .bind::<Text, _>(new_status)
        .bind::<Nullable<Integer>, _>(status)
        .bind::<Integer, _>(millis)
        .bind::<Nullable<Text>, _>(error)
        .bind::<diesel::sql_types::Double, _>(retry_in.as_secs_f64())
        .execute(conn)?;
        if changed == 1 && give_up {
            super::repo::mark_failing(conn, &Principal::system(ACTOR), claimed.webhook_id)?;
        }
        Ok(())
    })
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// When the next message may become due: the earliest retry or lease end of the first
/// pending message of a healthy subscription (the others wait for it), if any.
pub fn next_due(conn: &mut PgConnection) -> QueryResult<Option<DateTime<Utc>>> {
    #[derive(QueryableByName)]
    struct Due {
        #[diesel(sql_type = Nullable<Timestamptz>)]
        at: Option<DateTime<Utc>>,
    }
    let due: Due = diesel::sql_query(
        "SELECT min(greatest(h.next_attempt_at, coalesce(h.lease_until, h.next_attempt_at))) AS at
         FROM webhooks w
         CROSS JOIN LATERAL (SELECT next_attempt_at, lease_until FROM webhook_deliveries
                             WHERE webhook_id = w.id AND status = 'pending'
                             ORDER BY id LIMIT 1) h
         WHERE w.active AND w.state = 'healthy'",
    )
    .get_result(conn)?;
    Ok(due.at)
}

/// Queues `collection.deadline_near` once per open year and department that still owes
/// answers, `days` days or fewer before the year's `collect_until`. Answers how many notices
/// it queued.
pub fn deadline_notices(conn: &mut PgConnection, days: i32) -> Result<usize, ApiError> {
    #[derive(QueryableByName)]
    struct Open {
        #[diesel(sql_type = Integer)]
        year: i32,
        #[diesel(sql_type = diesel::sql_types::Date)]
        collect_until: NaiveDate,
    }
    conn.transaction(|conn| {
        let years: Vec<Open> = diesel::sql_query(
            "SELECT year, collect_until FROM report_years
             WHERE status = 'collecting' AND collect_until IS NOT NULL
               AND current_date BETWEEN collect_until - $1 AND collect_until
             ORDER BY year",
        )
        .bind::<Integer, _>(days)
        .load(conn)?;
        let mut queued = 0;
        for open in years {
            let progress = crate::reports::cycle::worklist::progress(conn, open.year)?;
            for line in progress.departments {
                let Some(department) = line.department_id else {
                    continue;
                };
                if line.open + line.returned == 0 {
                    continue;
                }
                let subscribers =
                    subscribers_of(conn, EventType::CollectionDeadlineNear, &department)?;
                if subscribers.is_empty() {
                    continue;
                }
                let new = diesel::sql_query(
                    "INSERT INTO webhook_deadline_notices (year, department_id) VALUES ($1, $2)
                     ON CONFLICT DO NOTHING",
                )
                .bind::<Integer, _>(open.year)
                .bind::<Text, _>(&department)
                .execute(conn)?;
                if new == 0 {
                    continue;
                }
                let data = json!({
                    "year": open.year,
                    "department_id": department,
                    "collect_until": open.collect_until,
                    "open": line.open,
                    "returned": line.returned,
                    "link": format!("/api/v1/reports/{}/worklist?department_id={department}", open.year),
                });
                let body = events::envelope(EventType::CollectionDeadlineNear, Utc::now(), data);
                let message = format!("msg_deadline_{}_{department}", open.year);
                let mut notices = Queued::default();
                for webhook in subscribers {
                    let kind = EventType::CollectionDeadlineNear;
                    notices.push(webhook, message.clone(), kind, None, body.clone());
                }
                notices.insert(conn)?;
                queued += 1;
            }
        }
        Ok(queued)
    })
}

/// The active subscriptions to `kind` that take the events of `department`.
fn subscribers_of(
    conn: &mut PgConnection,
    kind: EventType,
    department: &str,
) -> QueryResult<Vec<i32>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = Integer)]
        id: i32,
    }
    let ids: Vec<Id> = diesel::sql_query(
        "SELECT id FROM webhooks WHERE active AND $1 = ANY (event_types)
           AND (department_id IS NULL OR department_id = $2) ORDER BY id",
    )
    .bind::<Text, _>(kind.as_str())
    .bind::<Text, _>(department)
    .load(conn)?;
    Ok(ids.into_iter().map(|i| i.id).collect())
}
