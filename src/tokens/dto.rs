//! Wire types of API tokens. The secret appears once, in the answer to its creation.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::limits::DEPARTMENTS_PER_TOKEN;
use crate::api::timestamp::DateTime;
use crate::api::validate;
use crate::auth::Role;

/// An API token (without its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Token {
    /// Identifier of the token.
    #[schema(example = 3)]
    pub id: i32,
    /// Name of the token; it is the actor in the audit trail.
    #[schema(example = "financien-nachtscript")]
    pub name: String,
    /// What the token may do.
    #[schema(example = "editor")]
    pub role: Role,
    /// For editors: the departments whose risks and actions it may change, sorted.
    #[schema(example = json!(["financien"]))]
    pub department_ids: Vec<String>,
    /// When the token was created.
    pub created_at: DateTime,
    /// When the token was last used (to the minute), or null.
    #[schema(required = true, example = "2023-06-07T02:00:00Z")]
    pub last_used_at: Option<DateTime>,
    /// When the token stops working, or null.
    #[schema(required = true, example = "2024-06-30T00:00:00Z")]
    pub expires_at: Option<DateTime>,
    /// When the token was revoked, or null.
    #[schema(required = true, example = "2023-09-01T12:00:00Z")]
    pub revoked_at: Option<DateTime>,
}

/// A new token.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// Unique name, 1 to 100 characters, e.g. the script or person using it.
    #[validate(custom(function = "validate::token_name"))]
    #[schema(example = "financien-nachtscript", min_length = 1)]
    pub name: String,
    /// What the token may do.
    #[schema(example = "editor")]
    pub role: Role,
    /// For editors (required, at least one): the departments it may change. Empty for
    /// readers, reviewers and admins.
    #[serde(default)]
    #[validate(length(max = DEPARTMENTS_PER_TOKEN))]
    #[schema(example = json!(["financien"]), max_items = 100)]
    pub department_ids: Vec<String>,
    /// When the token stops working; must be in the future.
    #[serde(default)]
    #[schema(example = "2027-06-30T00:00:00Z")]
    pub expires_at: Option<chrono::DateTime<Utc>>,
}

/// A created token with its secret, shown only this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: Token,
    /// The secret to send as `Authorization: Bearer <secret>` (or as the Basic password).
    /// Only its hash is stored: it cannot be shown again.
    #[schema(example = "vgt_3q2Zt1tTgk7uQm5lXn0cH4yL9wE6rA8sD2fG1hJ4kLz")]
    pub secret: String,
}
