//! Wire types of domains.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::body::{nullable, present};
use crate::api::limits::DOMAIN_DESCRIPTION_MAX;
use crate::api::timestamp::DateTime;
use crate::api::validate::{self, slug};
use crate::domains::criteria::dto::Criterion;

/// A control domain (beheersdomein) of the internal-control system, with its criteria.
#[derive(Debug, Serialize, ToSchema)]
pub struct Domain {
    /// Stable slug of the domain.
    #[schema(example = "organisatiecultuur")]
    pub id: String,
    /// Name of the domain as the report shows it.
    #[schema(example = "Organisatiecultuur")]
    pub name: String,
    /// Introduction to what the domain covers, or null.
    #[schema(
        required = true,
        example = "Binnen dit domein kijken we naar acties en realisaties die verband houden met het formuleren van de doelstellingen."
    )]
    pub description: Option<String>,
    /// Place of the domain in the report, 1 first.
    #[schema(example = 1, minimum = 1)]
    pub position: i32,
    /// The criteria ("Detail criterium") of the domain, in order.
    pub criteria: Vec<Criterion>,
    /// When the domain was created.
    pub created_at: DateTime,
    /// When the domain itself was last changed (changes to its criteria have their own time).
    pub updated_at: DateTime,
}

/// A new control domain.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDomain {
    /// Slug: lowercase letters, digits and hyphens, at most 64 characters; cannot change later.
    #[validate(custom(function = "slug"))]
    #[schema(
        example = "bescherming-activa",
        max_length = 64,
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"
    )]
    pub id: String,
    /// Name of the domain, 1 to 200 characters.
    #[validate(custom(function = "validate::name"))]
    #[schema(example = "Bescherming activa", min_length = 1)]
    pub name: String,
    /// Introduction to what the domain covers, at most 10000 characters.
    #[serde(default)]
    #[validate(length(max = DOMAIN_DESCRIPTION_MAX))]
    #[schema(
        example = "Binnen dit domein kijken we naar de bescherming van de activa.",
        max_length = 10000
    )]
    pub description: Option<String>,
    /// Place among the domains, 1 first; absent or beyond the end places it last. Later domains move down.
    #[serde(default)]
    #[validate(range(min = 1))]
    #[schema(example = 7, minimum = 1)]
    pub position: Option<i32>,
}

/// Changes to a domain, as a JSON Merge Patch: send only the members to change; `null`
/// removes the description. The id cannot change.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainPatch {
    /// New name, 1 to 200 characters.
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "validate::name"))]
    #[schema(example = "Organisatiecultuur", nullable = false, min_length = 1)]
    pub name: Option<String>,
    /// New description, or null to remove it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = DOMAIN_DESCRIPTION_MAX))]
    #[schema(value_type = Option<String>, example = "Binnen dit domein kijken we naar de organisatiecultuur.", max_length = 10000)]
    pub description: Option<Option<String>>,
    /// New place among the domains; the others shift to make room.
    #[serde(default, deserialize_with = "present")]
    #[validate(range(min = 1))]
    #[schema(example = 2, nullable = false, minimum = 1)]
    pub position: Option<i32>,
}
