//! Wire types of webhooks and their deliveries. A subscription's secret appears once, in the
//! answer to its creation or rotation.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::body::{nullable, present};
use crate::api::limits::{EVENT_TYPES_MAX, TITLE_MAX, URL_MAX};
use crate::api::timestamp::DateTime;
use crate::api::validate::slug;

/// What happened, as a message's `type` names it: `action.changed`, `risk.changed`,
/// `recommendation.changed`, `domain.changed`, `criterion.changed`, `department.changed`,
/// `audit.changed`, `self_evaluation.changed` (created, changed or deleted; `operation` says
/// which); `action_status.changed`, `risk_assessment.changed`,
/// `recommendation_status.changed` (a yearly row written outside a reviewed year, or deleted);
/// `action_status.submitted`, `risk_assessment.submitted`, `recommendation_status.submitted`
/// (written in a reviewed year, waiting for review); `review.returned`, `review.approved`
/// (the reviewer's decision on a yearly row); `report.opened`, `report.collection_closed`,
/// `report.adopted`, `report.changed` (a year's report); `collection.deadline_near` (a
/// department still owes answers a few days before `collect_until`); `ping` (on request).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
pub enum EventType {
    /// An action was created, changed or deleted.
    #[serde(rename = "action.changed")]
    #[strum(serialize = "action.changed")]
    ActionChanged,
    /// An action's status of a year was written outside a reviewed year, or deleted.
    #[serde(rename = "action_status.changed")]
    #[strum(serialize = "action_status.changed")]
    ActionStatusChanged,
    /// An action's status of a reviewed year was written and waits for its review.
    #[serde(rename = "action_status.submitted")]
    #[strum(serialize = "action_status.submitted")]
    ActionStatusSubmitted,
    /// A risk was created, changed or deleted.
    #[serde(rename = "risk.changed")]
    #[strum(serialize = "risk.changed")]
    RiskChanged,
    /// A risk's assessment of a year was written outside a reviewed year, or deleted.
    #[serde(rename = "risk_assessment.changed")]
    #[strum(serialize = "risk_assessment.changed")]
    RiskAssessmentChanged,
    /// A risk's assessment of a reviewed year was written and waits for its review.
    #[serde(rename = "risk_assessment.submitted")]
    #[strum(serialize = "risk_assessment.submitted")]
    RiskAssessmentSubmitted,
    /// A recommendation was created, changed or deleted.
    #[serde(rename = "recommendation.changed")]
    #[strum(serialize = "recommendation.changed")]
    RecommendationChanged,
    /// A recommendation's status of a year was written outside a reviewed year, or deleted.
    #[serde(rename = "recommendation_status.changed")]
    #[strum(serialize = "recommendation_status.changed")]
    RecommendationStatusChanged,
    /// A recommendation's status of a reviewed year was written and waits for its review.
    #[serde(rename = "recommendation_status.submitted")]
    #[strum(serialize = "recommendation_status.submitted")]
    RecommendationStatusSubmitted,
    /// A reviewer returned a yearly row (a status or an assessment) to its department.
    #[serde(rename = "review.returned")]
    #[strum(serialize = "review.returned")]
    ReviewReturned,
    /// A reviewer approved a yearly row.
    #[serde(rename = "review.approved")]
    #[strum(serialize = "review.approved")]
    ReviewApproved,
    /// A year was opened for collection.
    #[serde(rename = "report.opened")]
    #[strum(serialize = "report.opened")]
    ReportOpened,
    /// A year's collection was closed: the report is a draft under review.
    #[serde(rename = "report.collection_closed")]
    #[strum(serialize = "report.collection_closed")]
    ReportCollectionClosed,
    /// A year's report was adopted.
    #[serde(rename = "report.adopted")]
    #[strum(serialize = "report.adopted")]
    ReportAdopted,
    /// A year's report metadata was changed otherwise.
    #[serde(rename = "report.changed")]
    #[strum(serialize = "report.changed")]
    ReportChanged,
    /// The collection of an open year ends soon and a department still owes answers.
    #[serde(rename = "collection.deadline_near")]
    #[strum(serialize = "collection.deadline_near")]
    CollectionDeadlineNear,
    /// A control domain was created, changed or deleted.
    #[serde(rename = "domain.changed")]
    #[strum(serialize = "domain.changed")]
    DomainChanged,
    /// A domain's criterion was created, changed or deleted.
    #[serde(rename = "criterion.changed")]
    #[strum(serialize = "criterion.changed")]
    CriterionChanged,
    /// A department was created, renamed or deleted.
    #[serde(rename = "department.changed")]
    #[strum(serialize = "department.changed")]
    DepartmentChanged,
    /// An audit of the register was created, changed or deleted.
    #[serde(rename = "audit.changed")]
    #[strum(serialize = "audit.changed")]
    AuditChanged,
    /// A self-evaluation was created, changed or deleted.
    #[serde(rename = "self_evaluation.changed")]
    #[strum(serialize = "self_evaluation.changed")]
    SelfEvaluationChanged,
    /// A test message, sent on request (`POST /webhooks/{id}/ping`) whatever the subscription.
    #[serde(rename = "ping")]
    #[strum(serialize = "ping")]
    Ping,
}

impl EventType {
    /// The name in the body's `type`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

crate::db::text_enum! {
    /// What a message carries: `thin`, the ids and a link to read the current state; `full`,
    /// also the representation before and after the write, as the API showed it.
    pub enum Payload {
        Thin,
        Full,
    }
}

crate::db::text_enum! {
    /// `healthy`, or `failing` once a message could not be delivered for a day: nothing more
    /// is sent until a delivery is redelivered (which makes it healthy again).
    pub enum WebhookState {
        Healthy,
        Failing,
    }
}

crate::db::text_enum! {
    /// `pending` (to be sent, or sent again after a failure), `delivered` (the receiver
    /// answered 2xx) or `failed` (given up after a day of retries; can be redelivered).
    pub enum DeliveryStatus {
        Pending,
        Delivered,
        Failed,
    }
}

/// A subscription of another system to events (without its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Webhook {
    /// Identifier of the subscription.
    #[schema(example = 2)]
    pub id: i32,
    /// Where messages are sent (`POST`).
    #[schema(example = "https://intranet.mechelen.be/hooks/voortgang")]
    pub url: String,
    /// What the subscription is for, or null.
    #[schema(required = true, example = "Intranet: overzicht organisatiebeheersing")]
    pub description: Option<String>,
    /// The event types sent, sorted.
    #[schema(example = json!(["action_status.submitted", "review.returned"]))]
    pub event_types: Vec<EventType>,
    /// Only the events about this department's actions, risks and recommendations (and
    /// their yearly rows) and its deadline notices, besides the events that concern no
    /// department (reports, domains); null for all.
    #[schema(required = true, example = "financien")]
    pub department_id: Option<String>,
    /// `thin` or `full` messages.
    #[schema(example = "thin")]
    pub payload: Payload,
    /// Whether events are sent; an inactive subscription queues nothing.
    #[schema(example = true)]
    pub active: bool,
    /// `healthy` or `failing`.
    #[schema(example = "healthy")]
    pub state: WebhookState,
    /// Until when the secret before the last rotation still signs messages (beside the new
    /// one), or null.
    #[schema(required = true, example = "2026-12-06T09:00:00Z")]
    pub previous_secret_until: Option<DateTime>,
    /// When the subscription was created.
    pub created_at: DateTime,
    /// When it was last changed.
    pub updated_at: DateTime,
}

/// A new subscription.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where to send messages: an `https` URL, or `http` for a host on the service's allow-list
    /// (`VOORTGANG_WEBHOOK_HOSTS`). Without the allow-list, no private, loopback or
    /// link-local address is reached.
    #[validate(length(min = 1, max = URL_MAX))]
    #[schema(
        example = "https://intranet.mechelen.be/hooks/voortgang",
        min_length = 1
    )]
    pub url: String,
    /// What the subscription is for, at most 300 characters.
    #[serde(default)]
    #[validate(length(max = TITLE_MAX))]
    #[schema(example = "Intranet: overzicht organisatiebeheersing")]
    pub description: Option<String>,
    /// The event types to send, at least one.
    #[validate(length(min = 1, max = EVENT_TYPES_MAX))]
    #[schema(example = json!(["action_status.submitted", "review.returned"]), min_items = 1)]
    pub event_types: Vec<EventType>,
    /// Only this department's events (and those that concern no department).
    #[serde(default)]
    #[validate(custom(function = "slug"))]
    #[schema(example = "financien")]
    pub department_id: Option<String>,
    /// `thin` (default) or `full`.
    #[serde(default = "thin")]
    #[schema(example = "thin")]
    pub payload: Payload,
    /// Whether events are sent (default true).
    #[serde(default = "yes")]
    #[schema(example = true)]
    pub active: bool,
}

fn thin() -> Payload {
    Payload::Thin
}

fn yes() -> bool {
    true
}

/// Changes to a subscription, as a JSON Merge Patch.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    /// New target URL (the same rules as at creation).
    #[serde(default, deserialize_with = "present")]
    #[validate(length(min = 1, max = URL_MAX))]
    #[schema(
        example = "https://intranet.mechelen.be/hooks/voortgang",
        nullable = false,
        min_length = 1
    )]
    pub url: Option<String>,
    /// New description, or null for none.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = TITLE_MAX))]
    #[schema(value_type = Option<String>, example = "Intranet")]
    pub description: Option<Option<String>>,
    /// New event types, at least one.
    #[serde(default, deserialize_with = "present")]
    #[validate(length(min = 1, max = EVENT_TYPES_MAX))]
    #[schema(example = json!(["review.returned"]), nullable = false, min_items = 1)]
    pub event_types: Option<Vec<EventType>>,
    /// New department filter, or null for all departments.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "slug"))]
    #[schema(value_type = Option<String>, example = "financien")]
    pub department_id: Option<Option<String>>,
    /// `thin` or `full`.
    #[serde(default, deserialize_with = "present")]
    #[schema(example = "full", nullable = false)]
    pub payload: Option<Payload>,
    /// Whether events are sent. Setting it to true also makes a failing subscription healthy
    /// again (its pending messages are sent).
    #[serde(default, deserialize_with = "present")]
    #[schema(example = false, nullable = false)]
    pub active: Option<bool>,
}

/// A subscription with its secret, shown only this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The signing secret in the Standard Webhooks form (`whsec_` and the base64 key): give it
    /// to the receiver's verification library. It cannot be shown again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// One message to one subscription, and how its sending went.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Delivery {
    /// Identifier of the delivery.
    #[schema(example = 381, format = Int64)]
    pub id: i64,
    /// The subscription.
    #[schema(example = 2)]
    pub webhook_id: i32,
    /// The message's `webhook-id`: the same in every attempt, so a receiver can drop a
    /// message it has already handled.
    #[schema(example = "msg_1042")]
    pub message_id: String,
    /// What happened.
    #[schema(example = "review.returned")]
    pub event_type: EventType,
    /// The audit event the message tells of, or null (a ping, a deadline notice).
    #[schema(required = true, example = 1042, format = Int64)]
    pub audit_event_id: Option<i64>,
    /// Where the delivery stands.
    #[schema(example = "delivered")]
    pub status: DeliveryStatus,
    /// Attempts so far.
    #[schema(example = 1)]
    pub attempts: i32,
    /// When the next attempt is due (for a pending delivery), or null.
    #[schema(required = true, example = "2026-12-05T10:00:05Z")]
    pub next_attempt_at: Option<DateTime>,
    /// The receiver's HTTP status of the last attempt, or null (none yet, or no answer).
    #[schema(required = true, example = 200)]
    pub last_status: Option<i32>,
    /// How long the last attempt took, in milliseconds, or null.
    #[schema(required = true, example = 41)]
    pub last_duration_ms: Option<i32>,
    /// Why the last attempt failed, or null.
    #[schema(required = true, example = "timed out after 10 s")]
    pub last_error: Option<String>,
    /// When the last attempt was made, or null.
    #[schema(required = true, example = "2026-12-05T10:00:00Z")]
    pub last_attempt_at: Option<DateTime>,
    /// When the receiver accepted it, or null.
    #[schema(required = true, example = "2026-12-05T10:00:00Z")]
    pub delivered_at: Option<DateTime>,
    /// When the message was queued.
    pub created_at: DateTime,
    /// The message as sent.
    #[schema(value_type = Message)]
    pub body: serde_json::Value,
}

/// A message as it is sent: `type`, `timestamp` (of the write) and `data` (`audit_event_id`,
/// `operation`, `entity_type`, `entity_id`, `department_id`, `actor`, `link` to the current
/// state; with `full` payloads also `before` and `after`, the representations).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(value_type = Object, example = json!({
    "type": "review.returned",
    "timestamp": "2026-12-05T10:00:00.000000Z",
    "data": {"audit_event_id": 1042, "operation": "update", "entity_type": "action_status",
             "entity_id": "12/2026", "department_id": "financien", "actor": "coordinator",
             "link": "/api/v1/actions/12/statuses/2026"}
}))]
pub struct Message(serde_json::Value);
