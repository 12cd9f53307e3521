//! Wire types of the audit trail.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::timestamp::DateTime;

crate::db::text_enum! {
    /// What a write did.
    pub enum Operation {
        Create,
        Update,
        Delete,
    }
}

crate::db::text_enum! {
    /// The kind of entity a write changed.
    #[schema(example = "action_status")]
    pub enum EntityType {
        Domain,
        Criterion,
        Department,
        Risk,
        RiskAssessment,
        Action,
        ActionStatus,
        Token,
        ReportYear,
        Audit,
        Recommendation,
        RecommendationStatus,
        SelfEvaluation,
        Webhook,
    }
}

/// An entity as the API showed it at the time of the write: the representation of its
/// `entity_type` (a risk, an action status, ...).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(value_type = Object, example = json!({"year": 2023, "status": "in_progress", "progress": 60, "note": null}))]
pub struct EntitySnapshot(serde_json::Value);

/// One recorded write.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEvent {
    /// Identifier of the event; events are numbered in the order they were recorded.
    #[schema(example = 1042)]
    pub id: i64,
    /// When the write's transaction ran (UTC).
    #[schema(example = "2023-06-07T02:00:00Z")]
    pub at: DateTime,
    /// The token name that wrote (`demo` for the demo data).
    #[schema(example = "financien-nachtscript")]
    pub actor: String,
    /// What the write did.
    #[schema(example = "update")]
    pub operation: Operation,
    /// The kind of entity.
    #[schema(example = "action_status")]
    pub entity_type: EntityType,
    /// The entity's id (`<risk id>/<year>` and `<action id>/<year>` for yearly rows).
    #[schema(example = "12/2023")]
    pub entity_id: String,
    /// The entity before the write, as the API shows it; null for a create.
    #[schema(required = true, value_type = Option<EntitySnapshot>)]
    pub before: Option<serde_json::Value>,
    /// The entity after the write; null for a delete.
    #[schema(required = true, value_type = Option<EntitySnapshot>)]
    pub after: Option<serde_json::Value>,
    /// The request that wrote (also in its `X-Request-Id` response header), or null.
    #[schema(required = true, example = "5f0c2a9e1b7d4c33")]
    pub request_id: Option<String>,
    /// The id of the token that wrote (see `/api/v1/tokens/{id}`); null for the service's own
    /// writes (demo data, the command line).
    #[schema(required = true, example = 3, minimum = 1)]
    pub actor_id: Option<i32>,
}

/// Filters and paging of the audit trail (oldest first).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events about this kind of entity.
    #[param(example = "action")]
    pub entity_type: Option<EntityType>,
    /// Only events about this entity id (with `entity_type`).
    #[param(example = "12")]
    pub entity_id: Option<String>,
    /// Only events by this actor (token name).
    #[param(example = "financien-nachtscript")]
    pub actor: Option<String>,
    /// Only events by the token with this id.
    #[param(minimum = 1, example = 3)]
    pub actor_id: Option<i32>,
    /// Only events at or after this time (ISO 8601 with offset).
    #[param(value_type = Option<String>, format = DateTime, example = "2023-01-01T00:00:00Z")]
    pub since: Option<chrono::DateTime<Utc>>,
    /// Only events before this time (ISO 8601 with offset).
    #[param(value_type = Option<String>, format = DateTime, example = "2024-01-01T00:00:00Z")]
    pub until: Option<chrono::DateTime<Utc>>,
    /// How many items to return, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000, example = 50)]
    pub limit: Option<i64>,
    /// Where to continue: the `next_cursor` of the previous page, with the same parameters.
    #[param(example = "MTA0Mg")]
    pub cursor: Option<String>,
}
