//! Wire types of risks.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::body::{nullable, present};
use crate::api::limits::{DESCRIPTION_MAX, THEMES_MAX};
use crate::api::listing::searchable_query;
use crate::api::timestamp::DateTime;
use crate::api::validate::{self, slug};
use crate::risks::assessments::dto::{Assessment, RiskStatus};

/// A risk the organisation follows up, with its assessment per year.
#[derive(Debug, Serialize, ToSchema)]
pub struct Risk {
    /// Identifier of the risk.
    #[schema(example = 1)]
    pub id: i32,
    /// The control domain the risk belongs to.
    #[schema(example = "organisatiecultuur")]
    pub domain_id: String,
    /// Short title of the risk.
    #[schema(example = "Hoge werkdruk")]
    pub title: String,
    /// Longer description, or null.
    #[schema(required = true, example = "Medewerkers ervaren een hoge werkdruk.")]
    pub description: Option<String>,
    /// The department that owns the risk, or null.
    #[schema(required = true, example = "personeel")]
    pub department_id: Option<String>,
    /// Codes of the Leidraad themes the risk is tagged with, sorted.
    #[schema(example = json!(["CUL", "HRM"]))]
    pub theme_codes: Vec<String>,
    /// The assessments, one per year, oldest first.
    pub assessments: Vec<Assessment>,
    /// When the risk was created.
    pub created_at: DateTime,
    /// When the risk or one of its assessments was last changed.
    pub updated_at: DateTime,
}

/// A new risk.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRisk {
    /// The control domain the risk belongs to.
    #[validate(custom(function = "slug"))]
    #[schema(example = "organisatiecultuur", max_length = 64)]
    pub domain_id: String,
    /// Short title, 1 to 300 characters.
    #[validate(custom(function = "validate::title"))]
    #[schema(example = "Hoge werkdruk", min_length = 1)]
    pub title: String,
    /// Longer description, at most 20000 characters.
    #[serde(default)]
    #[validate(length(max = DESCRIPTION_MAX))]
    #[schema(example = "Medewerkers ervaren een hoge werkdruk.", max_length = 20000)]
    pub description: Option<String>,
    /// The department that owns the risk.
    #[serde(default)]
    #[validate(custom(function = "slug"))]
    #[schema(example = "personeel", max_length = 64)]
    pub department_id: Option<String>,
    /// Codes of Leidraad themes (see `/api/v1/themes`), at most 11.
    #[serde(default)]
    #[validate(length(max = THEMES_MAX))]
    #[schema(example = json!(["CUL", "HRM"]), max_items = 11)]
    pub theme_codes: Vec<String>,
}

/// Changes to a risk, as a JSON Merge Patch: send only the members to change; `null` removes
/// the description or the department.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskPatch {
    /// Another control domain.
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "slug"))]
    #[schema(example = "bereiken-doelstellingen", nullable = false, max_length = 64)]
    pub domain_id: Option<String>,
    /// New title, 1 to 300 characters.
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "validate::title"))]
    #[schema(example = "Hoge werkdruk", nullable = false, min_length = 1)]
    pub title: Option<String>,
    /// New description, or null to remove it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = DESCRIPTION_MAX))]
    #[schema(value_type = Option<String>, example = "Medewerkers ervaren een hoge werkdruk.", max_length = 20000)]
    pub description: Option<Option<String>>,
    /// Another owning department, or null for none.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "slug"))]
    #[schema(value_type = Option<String>, example = "personeel", max_length = 64)]
    pub department_id: Option<Option<String>>,
    /// The complete new set of theme codes.
    #[serde(default, deserialize_with = "present")]
    #[validate(length(max = THEMES_MAX))]
    #[schema(example = json!(["CUL"]), nullable = false, max_items = 11)]
    pub theme_codes: Option<Vec<String>>,
}

searchable_query! {
    /// Filters, order and paging of the risk list.
    pub struct RiskQuery {
        /// Only risks of this domain.
        #[param(example = "organisatiecultuur")]
        pub domain_id: Option<String>,
        /// Only risks with an assessment in this year.
        #[param(example = 2022, minimum = 2000, maximum = 2100)]
        pub year: Option<i32>,
        /// Only risks whose assessment in `year` has this status (needs `year`).
        #[param(example = "open")]
        pub status: Option<RiskStatus>,
        /// Only risks owned by this department.
        #[param(example = "personeel")]
        pub department_id: Option<String>,
        /// Only risks tagged with this theme code.
        #[param(example = "CUL")]
        pub theme: Option<String>,
    }
    q: {
        /// Full-text search in title and description (Dutch, accents ignored; websearch syntax),
        /// at most 200 characters and 20 words.
        #[param(example = "werkdruk")]
    }
    updated_since: {
        /// Only risks changed at or after this time (ISO 8601 with offset).
    }
    sort: {
        /// Order: id (default), -id, title, -title, created_at, -created_at, updated_at,
        /// -updated_at, or rank (relevance to `q`, the default when searching).
        #[param(example = "title")]
    }
}
