//! Wire types of scripted updates.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::actions::dto::{action_members, Action};
use crate::actions::statuses::dto::status_members;
use crate::api::limits::{BATCH_MAX, YEARS_COUNT, YEAR_MAX, YEAR_MIN};

status_members! {
    /// The status of one year, as a script sends it.
    #[derive(Serialize)]
    pub struct YearStatus {
        /// The year, 2000 to 2100.
        #[validate(range(min = YEAR_MIN, max = YEAR_MAX))]
        #[schema(example = 2023, minimum = 2000, maximum = 2100)]
        pub year: i32,
    }
}

action_members! {
    /// The full representation of an action as a script sends it. Absent optional members mean
    /// "none"; `statuses` replace the years they name and leave other years alone.
    #[derive(Clone, Serialize)]
    pub struct ActionUpsert {
        external_ref: {
            /// The department's own key; in a batch required, on `PUT .../by-ref/{external_ref}`
            /// optional and then equal to the path.
        }
        /// Statuses of the years to set, at most one per year.
        #[serde(default)]
        #[validate(length(max = YEARS_COUNT, message = "at most one status per year"), nested)]
        pub statuses: Vec<YearStatus>,
    }
}

/// Up to 1000 upserts by `external_ref`, written all or nothing.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// The actions, 1 to 1000, each with its `external_ref`.
    #[validate(
        length(min = 1, max = BATCH_MAX),
        nested
    )]
    #[schema(min_items = 1)]
    pub items: Vec<ActionUpsert>,
    /// `true`: write nothing, only say what would happen.
    #[serde(default)]
    #[schema(example = true)]
    pub dry_run: bool,
}

/// What an upsert did (or, in a dry run, would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UpsertOutcome {
    Created,
    Updated,
    Unchanged,
}

/// The value of a field of an action: text, a number, a list or null.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldValue(serde_json::Value);

/// One field an update changes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Change {
    /// The field of the action.
    #[schema(example = "title")]
    pub field: String,
    /// Its value before.
    #[schema(value_type = FieldValue)]
    pub before: serde_json::Value,
    /// Its value after.
    #[schema(value_type = FieldValue)]
    pub after: serde_json::Value,
}

/// The result of one item of a batch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemResult {
    /// Position of the item in the request, from 0.
    #[schema(example = 0)]
    pub index: usize,
    /// The item's key.
    #[schema(example = "FIN-2023-007")]
    pub external_ref: String,
    /// What happened to it.
    #[schema(example = "updated")]
    pub outcome: UpsertOutcome,
    /// The action's id (in a dry run, for a created item, the id it would have had).
    #[schema(example = 174)]
    pub id: i32,
    /// For `updated`: the fields that change, before and after.
    pub changes: Vec<Change>,
}

/// The result of a batch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchResult {
    /// Whether this was a dry run (nothing written).
    #[schema(example = false)]
    pub dry_run: bool,
    /// Per item, in request order.
    pub items: Vec<ItemResult>,
    /// How many items were created.
    #[schema(example = 1)]
    pub created: usize,
    /// How many items were updated.
    #[schema(example = 1)]
    pub updated: usize,
    /// How many items were already as sent.
    #[schema(example = 0)]
    pub unchanged: usize,
}

/// An upserted action with what happened to it.
pub struct Upserted {
    pub outcome: UpsertOutcome,
    pub action: Action,
    pub changes: Vec<Change>,
}
