//! Wire types of actions.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::actions::statuses::dto::{ActionStatus, Progress};
use crate::api::body::{nullable, present};
use crate::api::limits::{
    DESCRIPTION_MAX, DOMAINS_PER_ACTION, REF_MAX, RISKS_PER_ACTION, THEMES_MAX,
};
use crate::api::listing::searchable_query;
use crate::api::timestamp::DateTime;
use crate::api::validate::{self, single_line, slug};

/// An action (maatregel) of the internal-control system, with its status per year.
#[derive(Debug, Serialize, ToSchema)]
pub struct Action {
    /// Identifier of the action.
    #[schema(example = 12)]
    pub id: i32,
    /// The owning department's own key for the action, unique, or null.
    #[schema(required = true, example = "HR-2022-014")]
    pub external_ref: Option<String>,
    /// Title of the action.
    #[schema(example = "Welzijn op het werk")]
    pub title: String,
    /// Longer description, or null.
    #[schema(
        required = true,
        example = "Welzijnsbevraging bij alle medewerkers en opvolging van de resultaten."
    )]
    pub description: Option<String>,
    /// The control domains the action serves (one or more), sorted.
    #[schema(example = json!(["organisatiecultuur"]))]
    pub domain_ids: Vec<String>,
    /// The parent action when this is a sub-action, or null.
    #[schema(required = true, example = 3)]
    pub parent_id: Option<i32>,
    /// The risks the action addresses, sorted.
    #[schema(example = json!([1]))]
    pub risk_ids: Vec<i32>,
    /// Codes of the Leidraad themes the action is tagged with, sorted.
    #[schema(example = json!(["HRM"]))]
    pub theme_codes: Vec<String>,
    /// The owning department, or null.
    #[schema(required = true, example = "personeel")]
    pub department_id: Option<String>,
    /// Reference into the multi-year plan (meerjarenplan), or null.
    #[schema(required = true, example = "AP 1.2.3")]
    pub plan_ref: Option<String>,
    /// The statuses, one per year, oldest first.
    pub statuses: Vec<ActionStatus>,
    /// When the action was created.
    pub created_at: DateTime,
    /// When the action or one of its statuses was last changed.
    pub updated_at: DateTime,
}

/// Declares a body that writes an action whole: the action's writable members as the contract
/// documents and the service validates them, then the body's own members. [`NewAction`] and
/// the scripted upsert (`ActionUpsert`) are both declared with it, so that they accept the same
/// values. The body says what its `external_ref` means.
macro_rules! action_members {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            external_ref: { $(#[$ref_meta:meta])* }
            $($fields:tt)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, serde::Deserialize, validator::Validate, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $(#[$ref_meta])*
            #[serde(default)]
            #[validate(
                length(min = 1, max = crate::api::limits::REF_MAX),
                custom(function = "crate::api::validate::single_line")
            )]
            #[schema(example = "HR-2022-014", min_length = 1)]
            pub external_ref: Option<String>,
            /// Title, 1 to 300 characters.
            #[validate(custom(function = "crate::api::validate::title"))]
            #[schema(example = "Welzijn op het werk", min_length = 1)]
            pub title: String,
            /// Longer description, at most 20000 characters.
            #[serde(default)]
            #[validate(length(max = crate::api::limits::DESCRIPTION_MAX))]
            #[schema(
                example = "Welzijnsbevraging bij alle medewerkers.",
                max_length = 20000
            )]
            pub description: Option<String>,
            /// The control domains the action serves: 1 to 20.
            #[validate(length(min = 1, max = crate::api::limits::DOMAINS_PER_ACTION))]
            #[schema(example = json!(["organisatiecultuur"]), min_items = 1, max_items = 20)]
            pub domain_ids: Vec<String>,
            /// The parent action, for a sub-action. An editor names only an action of its departments
            /// or one without department.
            #[serde(default)]
            #[schema(example = 3)]
            pub parent_id: Option<i32>,
            /// The risks the action addresses, at most 100. An editor links only risks of its
            /// departments or without department.
            #[serde(default)]
            #[validate(length(max = crate::api::limits::RISKS_PER_ACTION))]
            #[schema(example = json!([1]), max_items = 100)]
            pub risk_ids: Vec<i32>,
            /// Codes of Leidraad themes (see `/api/v1/themes`), at most 11.
            #[serde(default)]
            #[validate(length(max = crate::api::limits::THEMES_MAX))]
            #[schema(example = json!(["HRM"]), max_items = 11)]
            pub theme_codes: Vec<String>,
            /// The owning department.
            #[serde(default)]
            #[validate(custom(function = "crate::api::validate::slug"))]
            #[schema(example = "personeel", max_length = 64)]
            pub department_id: Option<String>,
            /// Reference into the multi-year plan, 1 to 100 characters.
            #[serde(default)]
            #[validate(
                length(min = 1, max = crate::api::limits::REF_MAX),
                custom(function = "crate::api::validate::single_line")
            )]
            #[schema(example = "AP 1.2.3", min_length = 1)]
            pub plan_ref: Option<String>,
            $($fields)*
        }
    };
}
pub(crate) use action_members;

action_members! {
    /// A new action.
    pub struct NewAction {
        external_ref: {
            /// The owning department's own key, unique, 1 to 100 characters.
        }
    }
}

/// Changes to an action, as a JSON Merge Patch: send only the members to change; `null`
/// removes an optional value. Lists replace the whole set.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionPatch {
    /// New external key, or null to remove it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = REF_MAX), custom(function = "single_line"))]
    #[schema(value_type = Option<String>, example = "HR-2022-014")]
    pub external_ref: Option<Option<String>>,
    /// New title, 1 to 300 characters.
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "validate::title"))]
    #[schema(example = "Welzijn op het werk", nullable = false, min_length = 1)]
    pub title: Option<String>,
    /// New description, or null to remove it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = DESCRIPTION_MAX))]
    #[schema(value_type = Option<String>, example = "Welzijnsbevraging bij alle medewerkers.", max_length = 20000)]
    pub description: Option<Option<String>>,
    /// The complete new set of domains (1 to 20).
    #[serde(default, deserialize_with = "present")]
    #[validate(length(min = 1, max = DOMAINS_PER_ACTION))]
    #[schema(example = json!(["organisatiecultuur", "bescherming-activa"]), nullable = false, min_items = 1, max_items = 20)]
    pub domain_ids: Option<Vec<String>>,
    /// New parent action, or null to make it a top-level action. An editor names only an action
    /// of its departments or one without department.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>, example = 3)]
    pub parent_id: Option<Option<i32>>,
    /// The complete new set of risks addressed. A risk it did not address before must be of
    /// the editor's departments or without department.
    #[serde(default, deserialize_with = "present")]
    #[validate(length(max = RISKS_PER_ACTION))]
    #[schema(example = json!([1, 2]), nullable = false, max_items = 100)]
    pub risk_ids: Option<Vec<i32>>,
    /// The complete new set of theme codes.
    #[serde(default, deserialize_with = "present")]
    #[validate(length(max = THEMES_MAX))]
    #[schema(example = json!(["HRM"]), nullable = false, max_items = 11)]
    pub theme_codes: Option<Vec<String>>,
    /// New owning department, or null for none.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "slug"))]
    #[schema(value_type = Option<String>, example = "personeel", max_length = 64)]
    pub department_id: Option<Option<String>>,
    /// New multi-year-plan reference, or null to remove it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = REF_MAX), custom(function = "single_line"))]
    #[schema(value_type = Option<String>, example = "AP 1.2.3")]
    pub plan_ref: Option<Option<String>>,
}

searchable_query! {
    /// Filters, order and paging of the action list.
    pub struct ActionQuery {
        /// Only actions serving this domain.
        #[param(example = "organisatiecultuur")]
        pub domain_id: Option<String>,
        /// Only actions with a status in this year.
        #[param(example = 2022, minimum = 2000, maximum = 2100)]
        pub year: Option<i32>,
        /// Only actions with this status in `year` (needs `year`): `realised` gives the report's
        /// realisations, `planned` and `in_progress` its planning.
        #[param(example = "realised")]
        pub status: Option<Progress>,
        /// Only actions owned by this department.
        #[param(example = "personeel")]
        pub department_id: Option<String>,
        /// Only actions addressing this risk.
        #[param(example = 1)]
        pub risk_id: Option<i32>,
        /// Only actions tagged with this theme code.
        #[param(example = "HRM")]
        pub theme: Option<String>,
        /// Only the sub-actions of this action.
        #[param(example = 3)]
        pub parent_id: Option<i32>,
        /// `true`: only actions without a parent.
        #[param(example = true)]
        pub top_level: Option<bool>,
    }
    q: {
        /// Full-text search in title and description (Dutch, accents ignored; websearch syntax),
        /// at most 200 characters and 20 words.
        #[param(example = "welzijn")]
    }
    updated_since: {
        /// Only actions changed at or after this time (ISO 8601 with offset).
    }
    sort: {
        /// Order: id (default), -id, title, -title, created_at, -created_at, updated_at,
        /// -updated_at, or rank (relevance to `q`, the default when searching).
        #[param(example = "title")]
    }
}
