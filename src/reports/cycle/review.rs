//! The review of many yearly rows at once: all or nothing, each row reviewed as its own
//! operation would (`actions::statuses::repo::review`, `risks::assessments::repo::review`).

use diesel::pg::PgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::worklist::ItemKind;
use crate::actions::statuses;
use crate::api::limits::{BATCH_MAX, NOTE_MAX};
use crate::api::Precondition;
use crate::audits::recommendations;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::risks::assessments;
use crate::years::{Decision, ReviewInput, ReviewState};

/// One row of a batch review.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewItem {
    /// Which row: an action's status or a risk's assessment of the year.
    #[schema(example = "action_status")]
    pub kind: ItemKind,
    /// The action or risk.
    #[schema(example = 12)]
    pub id: i32,
    /// `approve`, or `return` (a note is then required).
    #[schema(example = "approve")]
    pub decision: Decision,
    /// Why it is returned, or a remark with an approval.
    #[serde(default)]
    #[validate(length(min = 1, max = NOTE_MAX))]
    #[schema(example = "In orde.", min_length = 1, max_length = 5000)]
    pub note: Option<String>,
}

/// Many reviews at once.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchReview {
    /// The rows, 1 to 1000, each at most once.
    #[validate(length(min = 1, max = BATCH_MAX), nested)]
    pub items: Vec<ReviewItem>,
}

/// What a batch review did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchReviewResult {
    /// How many rows were approved.
    #[schema(example = 10)]
    pub approved: usize,
    /// How many were returned.
    #[schema(example = 1)]
    pub returned: usize,
}

/// Reviews every item in the caller's transaction; the first failing item stops the batch
/// (its error names `items[i]`), and the caller's transaction rolls back.
pub fn review(
    conn: &mut PgConnection,
    principal: &Principal,
    year: i32,
    batch: BatchReview,
) -> Result<BatchReviewResult, ApiError> {
    let mut seen = std::collections::HashSet::new();
    for (index, item) in batch.items.iter().enumerate() {
        if !seen.insert((item.kind.as_str(), item.id)) {
            return Err(ApiError::invalid(
                format!("items[{index}]"),
                "reviews a row the batch reviewed before",
            ));
        }
    }
    let mut result = BatchReviewResult {
        approved: 0,
        returned: 0,
    };
    // a batch has no If-Match per item
    let none = Precondition::default();
    for (index, item) in batch.items.into_iter().enumerate() {
        let label = format!("{} {}", item.kind.as_str(), item.id);
        let input = ReviewInput {
            decision: item.decision,
            note: item.note,
        };
        let state = match item.kind {
            ItemKind::ActionStatus => {
                statuses::repo::review(conn, principal, item.id, year, &input, &none)
                    .map(|s| s.review.map(|r| r.state))
            }
            ItemKind::RiskAssessment => {
                assessments::repo::review(conn, principal, item.id, year, &input, &none)
                    .map(|a| a.review.map(|r| r.state))
            }
            ItemKind::RecommendationStatus => {
                recommendations::repo::review_status(conn, principal, item.id, year, &input, &none)
                    .map(|s| s.review.map(|r| r.state))
            }
        }
        .map_err(|e| e.for_item(index, &label))?;
        match state {
            Some(ReviewState::Returned) => result.returned += 1,
            _ => result.approved += 1,
        }
    }
    Ok(result)
}
