//! Wire types of risk assessments.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::limits::{NOTE_MAX, SCORE_MAX};
use crate::api::timestamp::DateTime;
use crate::years::Review;

crate::db::text_enum! {
    /// Where a risk stands in a year. A risk is followed up ("op te volgen") in a year when its
    /// assessment there is `open` or `monitoring`.
    pub enum RiskStatus {
        Open,
        Monitoring,
        Mitigated,
        Closed,
    }
}

/// The level of a score (likelihood x impact): 1-4 `low`, 5-9 `medium`, 10-15 `high`,
/// 16-25 `critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Critical,
}

impl RiskLevel {
    pub fn of(score: i32) -> Self {
        match score {
            ..=4 => Self::Low,
            5..=9 => Self::Medium,
            10..=15 => Self::High,
            _ => Self::Critical,
        }
    }
}

/// A risk's assessment in one year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Assessment {
    /// The year the assessment is about (the report year).
    #[schema(example = 2022, minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// Likelihood from 1 (rare) to 5 (almost certain), or null when not scored.
    #[schema(required = true, example = 4, minimum = 1, maximum = 5)]
    pub likelihood: Option<i32>,
    /// Impact from 1 (minor) to 5 (severe), or null when not scored.
    #[schema(required = true, example = 3, minimum = 1, maximum = 5)]
    pub impact: Option<i32>,
    /// Likelihood x impact (1-25), derived; null unless both are scored.
    #[schema(required = true, example = 12, minimum = 1, maximum = 25)]
    pub score: Option<i32>,
    /// Level of the score, derived: 1-4 low, 5-9 medium, 10-15 high, 16-25 critical.
    #[schema(required = true, example = "high")]
    pub level: Option<RiskLevel>,
    /// Status of the risk in this year.
    #[schema(example = "open")]
    pub status: RiskStatus,
    /// Explanation, or null.
    #[schema(required = true, example = "Opvolging via het welzijnsbeleid.")]
    pub note: Option<String>,
    /// When this assessment was last changed.
    pub updated_at: DateTime,
    /// Its review, while the year is reviewed; null otherwise.
    #[schema(required = true)]
    pub review: Option<Review>,
}

/// The assessment of a year, as PUT creates or replaces it (score and level are derived).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    /// Likelihood from 1 to 5; absent or null when not scored.
    #[serde(default)]
    #[validate(range(min = 1, max = SCORE_MAX))]
    #[schema(example = 4, minimum = 1, maximum = 5)]
    pub likelihood: Option<i32>,
    /// Impact from 1 to 5; absent or null when not scored.
    #[serde(default)]
    #[validate(range(min = 1, max = SCORE_MAX))]
    #[schema(example = 3, minimum = 1, maximum = 5)]
    pub impact: Option<i32>,
    /// Status of the risk in this year.
    #[schema(example = "open")]
    pub status: RiskStatus,
    /// Explanation, at most 5000 characters.
    #[serde(default)]
    #[validate(length(max = NOTE_MAX))]
    #[schema(example = "Opvolging via het welzijnsbeleid.", max_length = 5000)]
    pub note: Option<String>,
}

impl AssessmentInput {
    /// The representation these values give for `year`.
    pub fn into_assessment(self, year: i32, updated_at: chrono::DateTime<Utc>) -> Assessment {
        let score = self.likelihood.zip(self.impact).map(|(l, i)| l * i);
        Assessment {
            year,
            likelihood: self.likelihood,
            impact: self.impact,
            score,
            level: score.map(RiskLevel::of),
            status: self.status,
            note: self.note,
            updated_at: updated_at.into(),
            review: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_documented_bands() {
        let levels: Vec<RiskLevel> = [1, 4, 5, 9, 10, 15, 16, 25].map(RiskLevel::of).to_vec();
        use RiskLevel::*;
        assert_eq!(
            levels,
            [Low, Low, Medium, Medium, High, High, Critical, Critical]
        );
    }
}
