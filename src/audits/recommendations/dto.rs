//! Wire types of recommendations.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::body::{nullable, present};
use crate::api::limits::{ACTIONS_PER_AUDIT, NOTE_MAX, REF_MAX};
use crate::api::listing::searchable_query;
use crate::api::timestamp::DateTime;
use crate::api::validate::{not_blank, plausible_date, single_line, slug};
use crate::years::Review;

crate::db::text_enum! {
    /// How urgent a recommendation is.
    pub enum Priority {
        High,
        Medium,
        Low,
    }
}

crate::db::text_enum! {
    /// What became of a recommendation in a year. `risk_accepted` (the organisation accepts
    /// the risk of not implementing it) needs a reason in the note and is a reviewer's or
    /// admin's decision.
    pub enum Implementation {
        Open,
        InProgress,
        Implemented,
        PartlyImplemented,
        NotImplemented,
        RiskAccepted,
    }
}

/// What became of a recommendation in one year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecommendationStatus {
    /// The year.
    #[schema(example = 2023, minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// The status in that year.
    #[schema(example = "partly_implemented")]
    pub status: Implementation,
    /// Explanation (for `risk_accepted`, the reason), or null.
    #[schema(
        required = true,
        example = "Procedure herschreven, opleiding volgt in het najaar."
    )]
    pub note: Option<String>,
    /// When this status was last changed.
    pub updated_at: DateTime,
    /// Its review, while the year is reviewed; null otherwise.
    #[schema(required = true)]
    pub review: Option<Review>,
}

/// The status of a year, as PUT creates or replaces it.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationStatusInput {
    /// The status in that year.
    #[schema(example = "in_progress")]
    pub status: Implementation,
    /// Explanation, at most 5000 characters; required for `risk_accepted`.
    #[serde(default)]
    #[validate(length(max = NOTE_MAX))]
    #[schema(
        example = "Procedure herschreven, opleiding volgt in het najaar.",
        max_length = 5000
    )]
    pub note: Option<String>,
}

/// A recommendation of an audit, with what became of it per year.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recommendation {
    /// Identifier of the recommendation.
    #[schema(example = 4)]
    pub id: i32,
    /// The audit that made it.
    #[schema(example = 1)]
    pub audit_id: i32,
    /// The organisation's own key, unique, or null.
    #[schema(required = true, example = "AUD-2022-FIN-3")]
    pub external_ref: Option<String>,
    /// What the audit recommends.
    #[schema(example = "Formaliseer de procedure voor het beheer van kassa's.")]
    pub text: String,
    /// How urgent it is.
    #[schema(example = "high")]
    pub priority: Priority,
    /// The department that owns it, or null.
    #[schema(required = true, example = "financien")]
    pub department_id: Option<String>,
    /// The day it is due, or null.
    #[schema(required = true, value_type = Option<String>, format = Date, example = "2024-06-30")]
    pub due_on: Option<NaiveDate>,
    /// The actions that implement it, sorted.
    #[schema(example = json!([87]))]
    pub action_ids: Vec<i32>,
    /// What became of it, one status per year, oldest first.
    pub statuses: Vec<RecommendationStatus>,
    /// When it was registered.
    pub created_at: DateTime,
    /// When it or one of its statuses was last changed.
    pub updated_at: DateTime,
}

/// Declares a body that writes a recommendation whole: its own leading members, the
/// recommendation's members as the contract documents and the service validates them, then its
/// own trailing members (`then`). [`NewRecommendation`] and the scripted
/// [`RecommendationUpsert`] are both declared with it, so that they accept the same values.
macro_rules! recommendation_members {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($fields:tt)* }
        $(then { $($then:tt)* })?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Deserialize, Validate, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($fields)*
            /// What the audit recommends, 1 to 5000 characters.
            #[validate(length(min = 1, max = NOTE_MAX), custom(function = "not_blank"))]
            #[schema(
                example = "Formaliseer de procedure voor het beheer van kassa's.",
                min_length = 1
            )]
            pub text: String,
            /// How urgent it is.
            #[schema(example = "high")]
            pub priority: Priority,
            /// The department that owns it.
            #[serde(default)]
            #[validate(custom(function = "slug"))]
            #[schema(example = "financien", max_length = 64)]
            pub department_id: Option<String>,
            /// The day it is due.
            #[serde(default)]
            #[validate(custom(function = "plausible_date"))]
            #[schema(value_type = Option<String>, format = Date, example = "2024-06-30")]
            pub due_on: Option<NaiveDate>,
            /// The actions that implement it, at most 100.
            #[serde(default)]
            #[validate(length(max = ACTIONS_PER_AUDIT))]
            #[schema(example = json!([87]), max_items = 100)]
            pub action_ids: Vec<i32>,
            $($($then)*)?
        }
    };
}

recommendation_members! {
    /// A new recommendation of an audit.
    pub struct NewRecommendation {
        /// The organisation's own key, unique, 1 to 100 characters.
        #[serde(default)]
        #[validate(length(min = 1, max = REF_MAX), custom(function = "single_line"))]
        #[schema(example = "AUD-2022-FIN-3", min_length = 1)]
        pub external_ref: Option<String>,
    }
}

/// Changes to a recommendation, as a JSON Merge Patch.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationPatch {
    /// New external key, or null to remove it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = REF_MAX), custom(function = "single_line"))]
    #[schema(value_type = Option<String>, example = "AUD-2022-FIN-3")]
    pub external_ref: Option<Option<String>>,
    /// New text.
    #[serde(default, deserialize_with = "present")]
    #[validate(length(min = 1, max = NOTE_MAX), custom(function = "not_blank"))]
    #[schema(
        example = "Formaliseer de procedure voor het beheer van kassa's.",
        nullable = false,
        min_length = 1
    )]
    pub text: Option<String>,
    /// New priority.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Priority>, example = "medium", nullable = false)]
    pub priority: Option<Priority>,
    /// Another owning department, or null for none.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "slug"))]
    #[schema(value_type = Option<String>, example = "financien", max_length = 64)]
    pub department_id: Option<Option<String>>,
    /// New due day, or null.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "plausible_date"))]
    #[schema(value_type = Option<String>, format = Date, example = "2024-12-31")]
    pub due_on: Option<Option<NaiveDate>>,
    /// The complete new set of actions that implement it.
    #[serde(default, deserialize_with = "present")]
    #[validate(length(max = ACTIONS_PER_AUDIT))]
    #[schema(example = json!([87]), nullable = false, max_items = 100)]
    pub action_ids: Option<Vec<i32>>,
}

searchable_query! {
    /// Filters, order and paging of the recommendation list.
    pub struct RecommendationQuery {
        /// Only the recommendations of this audit.
        #[param(example = 1, minimum = 1)]
        pub audit_id: Option<i32>,
        /// Only those owned by this department.
        #[param(example = "financien")]
        pub department_id: Option<String>,
        /// Only those of this priority.
        #[param(example = "high")]
        pub priority: Option<Priority>,
        /// Only those with a status in this year.
        #[param(example = 2023, minimum = 2000, maximum = 2100)]
        pub year: Option<i32>,
        /// Only those whose status in `year` is this one (needs `year`).
        #[param(example = "implemented")]
        pub status: Option<Implementation>,
    }
    q: {
        /// Full-text search in the text (Dutch, accents ignored; websearch syntax), at most 200
        /// characters and 20 words.
        #[param(example = "kassa")]
    }
    updated_since: {
        /// Only those changed at or after this time (ISO 8601 with offset).
    }
    sort: {
        /// Order: id (default), -id, created_at, -created_at, updated_at, -updated_at, or rank
        /// (relevance to `q`, the default when searching).
        #[param(example = "-updated_at")]
    }
}

/// The status of one year, as a script sends it.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct YearRecommendationStatus {
    /// The year, 2000 to 2100.
    #[validate(range(min = crate::api::limits::YEAR_MIN, max = crate::api::limits::YEAR_MAX))]
    #[schema(example = 2023, minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// The status in that year.
    #[schema(example = "in_progress")]
    pub status: Implementation,
    /// Explanation, at most 5000 characters; required for `risk_accepted`.
    #[serde(default)]
    #[validate(length(max = NOTE_MAX))]
    #[schema(example = "Procedure herschreven.", max_length = 5000)]
    pub note: Option<String>,
}

recommendation_members! {
    /// A recommendation as a script sends it, by its external key: the whole recommendation, and
    /// the statuses of the years it names.
    pub struct RecommendationUpsert {
        /// The audit that made it (a recommendation does not move to another audit).
        #[schema(example = 1, minimum = 1)]
        pub audit_id: i32,
    }
    then {
        /// Statuses of the years they name (other years stay as they are), one per year.
        #[serde(default)]
        #[validate(length(max = crate::api::limits::YEARS_COUNT), nested)]
        pub statuses: Vec<YearRecommendationStatus>,
    }
}
