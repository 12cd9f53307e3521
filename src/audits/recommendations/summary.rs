//! What became of the audits' recommendations in a year, per audit and overall, in the
//! categories Audit Vlaanderen publishes (fully, partly, not implemented).

use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::fixed::{ByName, Part};
use crate::error::ApiError;

/// The year a summary is asked for.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// The year, 2000 to 2100.
    #[param(example = 2023, minimum = 2000, maximum = 2100)]
    pub year: i32,
}

/// The counts of a set of recommendations in a year.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, QueryableByName)]
pub struct Implemented {
    /// The recommendations counted: of an audit held by the end of the year (or, without a
    /// date, registered by then), or with a status by then.
    #[diesel(sql_type = Integer)]
    #[schema(example = 12)]
    pub recommendations: i32,
    /// `implemented` that year: fully implemented.
    #[diesel(sql_type = Integer)]
    #[schema(example = 5)]
    pub fully: i32,
    /// `partly_implemented` or `in_progress` that year.
    #[diesel(sql_type = Integer)]
    #[schema(example = 5)]
    pub partly: i32,
    /// `not_implemented` or `open` that year, or without a status that counts (none, or one
    /// still waiting for review).
    #[diesel(sql_type = Integer)]
    #[schema(example = 1)]
    pub not: i32,
    /// `risk_accepted` that year: left out of the three percentages.
    #[diesel(sql_type = Integer)]
    #[schema(example = 1)]
    pub risk_accepted: i32,
    /// Due by the end of the year and neither implemented nor accepted.
    #[diesel(sql_type = Integer)]
    #[schema(example = 2)]
    pub overdue: i32,
    /// `fully` as a percentage of fully, partly and not, rounded; 0 when there are none.
    #[diesel(sql_type = Integer)]
    #[schema(example = 45)]
    pub percent_fully: i32,
    /// `partly` as a percentage, rounded.
    #[diesel(sql_type = Integer)]
    #[schema(example = 45)]
    pub percent_partly: i32,
    /// `not` as a percentage, rounded.
    #[diesel(sql_type = Integer)]
    #[schema(example = 9)]
    pub percent_not: i32,
}

/// An audit's line of the summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditImplemented {
    /// The audit.
    #[schema(example = 1)]
    pub audit_id: i32,
    /// Its title.
    #[schema(example = "Audit Financiën")]
    pub title: String,
    /// Its recommendations' counts.
    #[serde(flatten)]
    pub counts: Implemented,
}

/// What became of the recommendations in a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationSummary {
    /// The year.
    #[schema(example = 2023)]
    pub year: i32,
    /// Per audit with recommendations, by id.
    pub audits: Vec<AuditImplemented>,
    /// Over all audits.
    pub totals: Implemented,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Integer)]
    audit_id: i32,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(embed)]
    counts: Implemented,
}

/// The summary of `year`: one statement. A status waiting for review or returned does not
/// count yet, as in the report.
pub fn summary(conn: &mut PgConnection, year: i32) -> Result<RecommendationSummary, ApiError> {
    let lines: Vec<Line> = ByName::new(
        "WITH counted AS (
             SELECT r.audit_id, r.due_on, s.status
             FROM recommendations r
             JOIN audits a ON a.id = r.audit_id
             LEFT JOIN recommendation_statuses s ON s.recommendation_id = r.id AND s.year = $1
                  AND (s.review IS NULL OR s.review = 'approved')
             WHERE extract(year FROM coalesce(a.audited_on, r.created_at)) <= $1
                OR EXISTS (SELECT 1 FROM recommendation_statuses e
                           WHERE e.recommendation_id = r.id AND e.year <= $1)
         )
         SELECT a.id AS audit_id, a.title,
                count(*)::integer AS recommendations,
                count(*) FILTER (WHERE c.status = 'implemented')::integer AS fully,
                count(*) FILTER (WHERE c.status IN ('partly_implemented', 'in_progress'))::integer AS partly,
                count(*) FILTER (WHERE c.status IS NULL OR c.status IN ('not_implemented', 'open'))::integer AS not,
                count(*) FILTER (WHERE c.status = 'risk_accepted')::integer AS risk_accepted,
                count(*) FILTER (WHERE c.due_on <= make_date($1, 12, 31)
                    AND c.status IS DISTINCT FROM 'implemented'
                    AND c.status IS DISTINCT FROM 'risk_accepted')::integer AS overdue,
                0 AS percent_fully, 0 AS percent_partly, 0 AS percent_not
         FROM counted c JOIN audits a ON a.id = c.audit_id
         GROUP BY a.id, a.title
         ORDER BY a.id",
        &[Part::Integer(year)],
    )
    .load(conn)?;
    let mut totals = Implemented::default();
    let audits = lines
        .into_iter()
        .map(|line| {
            let mut counts = line.counts;
            totals.recommendations += counts.recommendations;
            totals.fully += counts.fully;
            totals.partly += counts.partly;
            totals.not += counts.not;
            totals.risk_accepted += counts.risk_accepted;
            totals.overdue += counts.overdue;
            counts.percentages();
            AuditImplemented {
                audit_id: line.audit_id,
                title: line.title,
                counts,
            }
        })
        .collect();
    totals.percentages();
    Ok(RecommendationSummary {
        year,
        audits,
        totals,
    })
}

impl Implemented {
    fn percentages(&mut self) {
        let whole = self.fully + self.partly + self.not;
        let percent = |part: i32| {
            if whole == 0 {
                0
            } else {
                (part * 100 + whole / 2) / whole
            }
        };
        self.percent_fully = percent(self.fully);
        self.percent_partly = percent(self.partly);
        self.percent_not = percent(self.not);
    }
}

/// An overdue recommendation as the report lists it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, QueryableByName)]
pub struct OverdueRecommendation {
    /// Identifier of the recommendation.
    #[diesel(sql_type = diesel::sql_types::Integer)]
    #[schema(example = 4)]
    pub id: i32,
    /// Title of its audit.
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[schema(example = "Audit Financiën")]
    pub audit_title: String,
    /// What it recommends.
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[schema(example = "Formaliseer het beheer van kassa's.")]
    pub text: String,
    /// Owning department, or null.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    #[schema(required = true, example = "financien")]
    pub department_id: Option<String>,
    /// The day it was due.
    #[diesel(sql_type = diesel::sql_types::Date)]
    #[schema(value_type = String, format = Date, example = "2023-06-30")]
    pub due_on: NaiveDate,
    /// Its status in the year, or null when it has none that counts.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    #[schema(required = true, example = "partly_implemented")]
    pub status: Option<String>,
}

/// The overdue recommendations of `year` (due by its end, neither implemented nor accepted,
/// as the summary counts them), by due day: one statement.
pub fn overdue(conn: &mut PgConnection, year: i32) -> Result<Vec<OverdueRecommendation>, ApiError> {
    Ok(ByName::new(
        "SELECT r.id, a.title AS audit_title, r.text, r.department_id, r.due_on, s.status
         FROM recommendations r
         JOIN audits a ON a.id = r.audit_id
         LEFT JOIN recommendation_statuses s ON s.recommendation_id = r.id AND s.year = $1
              AND (s.review IS NULL OR s.review = 'approved')
         WHERE r.due_on <= make_date($1, 12, 31)
           AND s.status IS DISTINCT FROM 'implemented'
           AND s.status IS DISTINCT FROM 'risk_accepted'
           AND (extract(year FROM coalesce(a.audited_on, r.created_at)) <= $1
                OR EXISTS (SELECT 1 FROM recommendation_statuses e
                           WHERE e.recommendation_id = r.id AND e.year <= $1))
         ORDER BY r.due_on, r.id",
        &[Part::Integer(year)],
    )
    .load(conn)?)
}
