//! The rules of a report year that every writer of its yearly rows (an action's status, a
//! risk's assessment) follows, and the review those rows carry while the year is reviewed.
//! The states and the review live in the database (`report_years.status`, the `review`
//! columns and their triggers); this module gives the friendly errors before it does.

pub mod handlers;
pub mod writes;

use chrono::Utc;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::limits::NOTE_MAX;
use crate::api::timestamp::DateTime;
use crate::auth::{Principal, Role};
use crate::db::schema::report_years;
use crate::error::ApiError;

crate::db::text_enum! {
    /// Where the review of a yearly row stands: `submitted` (written, waiting for a reviewer),
    /// `approved`, or `returned` to the department with a note.
    pub enum ReviewState {
        Submitted,
        Approved,
        Returned,
    }
}

/// The review of a yearly row, while its year is reviewed (`review_required`); `null` outside
/// such a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Review {
    /// Where the review stands.
    #[schema(example = "approved")]
    pub state: ReviewState,
    /// The token that wrote the row last.
    #[schema(required = true, example = "financien-script")]
    pub submitted_by: Option<String>,
    /// The token that approved or returned it, or null while submitted.
    #[schema(required = true, example = "coordinator")]
    pub reviewed_by: Option<String>,
    /// When it was approved or returned, or null.
    #[schema(required = true, example = "2024-04-02T10:15:00Z")]
    pub reviewed_at: Option<DateTime>,
    /// Why it was returned (or a remark with an approval), or null.
    #[schema(required = true, example = "Graag de voortgang in procent aanvullen.")]
    pub note: Option<String>,
}

impl Review {
    /// The review of a row from its columns: none when `state` is null.
    pub fn of(
        state: Option<ReviewState>,
        submitted_by: Option<String>,
        reviewed_by: Option<String>,
        reviewed_at: Option<chrono::DateTime<Utc>>,
        note: Option<String>,
    ) -> Option<Self> {
        state.map(|state| Self {
            state,
            submitted_by,
            reviewed_by,
            reviewed_at: reviewed_at.map(Into::into),
            note,
        })
    }
}

/// Refuses an editor's write of a yearly row of `year` once its collection is closed (the
/// year is a draft under review): from then on the reviewer and the admins finish it. Holds
/// the year's shared lock for the rest of the transaction, as the database's writers do, so
/// that closing the collection waits for the writes under way.
pub fn ensure_writable(
    conn: &mut PgConnection,
    principal: &Principal,
    year: i32,
) -> Result<(), ApiError> {
    // two statements: the read after the lock sees what a closing that held it committed
    diesel::sql_query("SELECT pg_advisory_xact_lock_shared(217, $1)")
        .bind::<Integer, _>(year)
        .execute(conn)?;
    let state: Option<(String, bool)> = report_years::table
        .find(year)
        .select((report_years::status, report_years::review_required))
        .first(conn)
        .optional()?;
    match state {
        Some((status, true)) if status == "draft" && principal.role == Some(Role::Editor) => {
            Err(ApiError::Conflict(format!(
                "The collection of {year} is closed: the reviewer and the admins finish the report now."
            )))
        }
        _ => Ok(()),
    }
}

/// Refuses a review by the token that submitted the row (segregation of duties; the database
/// refuses it too) and a review of a row that is not waiting for one.
pub fn ensure_reviewable(
    principal: &Principal,
    row: &str,
    review: Option<&Review>,
) -> Result<(), ApiError> {
    let Some(review) = review else {
        return Err(ApiError::Conflict(format!(
            "{row} is not under review: its year does not require one."
        )));
    };
    if review.submitted_by.as_deref() == Some(principal.name.as_str()) {
        return Err(ApiError::Forbidden(format!(
            "{row} was submitted by `{}`, who may not review it: another reviewer or admin must.",
            principal.name
        )));
    }
    if review.state != ReviewState::Submitted {
        return Err(ApiError::Conflict(format!(
            "{row} is {}, not submitted: only a submitted row is reviewed.",
            review.state.as_str()
        )));
    }
    Ok(())
}

crate::db::text_enum! {
    /// A reviewer's decision on a submitted row.
    pub enum Decision {
        Approve,
        Return,
    }
}

/// A review of one yearly row.
#[derive(Debug, Clone, Deserialize, validator::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// `approve`, or `return` the row to its department (a note is then required).
    #[schema(example = "return")]
    pub decision: Decision,
    /// Why it is returned, or a remark with an approval; at most 5000 characters.
    #[serde(default)]
    #[validate(length(min = 1, max = NOTE_MAX))]
    #[schema(
        example = "Graag de voortgang in procent aanvullen.",
        min_length = 1,
        max_length = 5000
    )]
    pub note: Option<String>,
}

impl ReviewInput {
    /// The review state the decision leads to; a return needs a note (422).
    pub fn outcome(&self) -> Result<ReviewState, ApiError> {
        match (self.decision, &self.note) {
            (Decision::Approve, _) => Ok(ReviewState::Approved),
            (Decision::Return, Some(_)) => Ok(ReviewState::Returned),
            (Decision::Return, None) => Err(ApiError::invalid(
                "note",
                "is required to return a row: say what the department should change",
            )),
        }
    }
}
