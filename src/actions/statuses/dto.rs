//! Wire types of action statuses.

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::timestamp::DateTime;
use crate::years::Review;

crate::db::text_enum! {
    /// What the report of a year says of an action: its realisations are the actions `realised`
    /// that year, its planning the actions `planned` or `in_progress`.
    pub enum Progress {
        Planned,
        InProgress,
        Realised,
        Postponed,
        Cancelled,
    }
}

/// An action's status in one year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionStatus {
    /// The year (the report year that says this of the action).
    #[schema(example = 2022, minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// The status in that year.
    #[schema(example = "realised")]
    pub status: Progress,
    /// Progress in percent, or null.
    #[schema(required = true, example = 100, minimum = 0, maximum = 100)]
    pub progress: Option<i32>,
    /// Explanation, or null.
    #[schema(required = true, example = "Uitgerold in alle diensten.")]
    pub note: Option<String>,
    /// When this status was last changed.
    pub updated_at: DateTime,
    /// Its review, while the year is reviewed; null otherwise.
    #[schema(required = true)]
    pub review: Option<Review>,
}

/// Declares a body that sets an action's status in a year: its own members (a script names the
/// year), then the status as the contract documents and the service validates it.
/// [`StatusInput`] and the scripted upsert's `YearStatus` are both declared with it, so that they
/// accept the same values.
macro_rules! status_members {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($fields:tt)* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, serde::Deserialize, validator::Validate, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($fields)*
            /// The status in that year.
            #[schema(example = "in_progress")]
            pub status: crate::actions::statuses::dto::Progress,
            /// Progress in percent, 0 to 100.
            #[serde(default)]
            #[validate(range(min = 0, max = crate::api::limits::PROGRESS_MAX))]
            #[schema(example = 60, minimum = 0, maximum = 100)]
            pub progress: Option<i32>,
            /// Explanation, at most 5000 characters.
            #[serde(default)]
            #[validate(length(max = crate::api::limits::NOTE_MAX))]
            #[schema(example = "Uitgerold in alle diensten.", max_length = 5000)]
            pub note: Option<String>,
        }
    };
}
pub(crate) use status_members;

status_members! {
    /// The status of a year, as PUT creates or replaces it.
    pub struct StatusInput {}
}
