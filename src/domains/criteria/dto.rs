//! Wire types of criteria.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::body::present;
use crate::api::timestamp::DateTime;
use crate::api::validate;

/// A criterion ("Detail criterium"): one thing a domain covers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Criterion {
    /// Identifier of the criterion.
    #[schema(example = 4)]
    pub id: i32,
    /// The domain it belongs to.
    #[schema(example = "organisatiecultuur")]
    pub domain_id: String,
    /// What the criterion says.
    #[schema(example = "Deontologische code")]
    pub text: String,
    /// Place among the domain's criteria, 1 first.
    #[schema(example = 3, minimum = 1)]
    pub position: i32,
    /// When the criterion was created.
    pub created_at: DateTime,
    /// When the criterion was last changed.
    pub updated_at: DateTime,
}

/// A new criterion of a domain.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCriterion {
    /// What the criterion says, 1 to 1000 characters.
    #[validate(custom(function = "validate::criterion_text"))]
    #[schema(example = "Risicocultuur", min_length = 1)]
    pub text: String,
    /// Place among the domain's criteria, 1 first; absent or beyond the end places it last.
    #[serde(default)]
    #[validate(range(min = 1))]
    #[schema(example = 4, minimum = 1)]
    pub position: Option<i32>,
}

/// Changes to a criterion, as a JSON Merge Patch: send only the members to change.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionPatch {
    /// New text, 1 to 1000 characters.
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "validate::criterion_text"))]
    #[schema(example = "Risicocultuur", nullable = false, min_length = 1)]
    pub text: Option<String>,
    /// New place among the domain's criteria; the others shift to make room.
    #[serde(default, deserialize_with = "present")]
    #[validate(range(min = 1))]
    #[schema(example = 1, nullable = false, minimum = 1)]
    pub position: Option<i32>,
}
