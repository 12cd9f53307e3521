//! Risk assessment queries.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::dto::{Assessment, AssessmentInput, RiskStatus};
use crate::api::Precondition;
use crate::audit::EntityType;
use crate::auth::Principal;
use crate::db::schema::risk_assessments;
use crate::error::ApiError;
use crate::years::{self, Review, ReviewState};
use crate::{audit, links, risks};

#[derive(Debug, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = risk_assessments)]
struct AssessmentRow {
    risk_id: i32,
    year: i32,
    likelihood: Option<i32>,
    impact: Option<i32>,
    status: RiskStatus,
    note: Option<String>,
    updated_at: DateTime<Utc>,
    review: Option<ReviewState>,
    submitted_by: Option<String>,
    reviewed_by: Option<String>,
    reviewed_at: Option<DateTime<Utc>>,
    review_note: Option<String>,
}

impl AssessmentRow {
    fn into_assessment(self) -> Assessment {
        let input = AssessmentInput {
            likelihood: self.likelihood,
            impact: self.impact,
            status: self.status,
            note: self.note,
        };
        let mut assessment = input.into_assessment(self.year, self.updated_at);
        assessment.review = Review::of(
            self.review,
            self.submitted_by,
            self.reviewed_by,
            self.reviewed_at,
            self.review_note,
        );
        assessment
    }
}

/// The assessments of the enclosing query's `risks` row as one JSON array, oldest year first:
/// selected beside the row when one is read (`risks::repo::find`), it spares a statement.
pub const OF_RISK_JSON: &str = "(SELECT coalesce(json_agg(json_build_object(\
    'risk_id', a.risk_id, 'year', a.year, 'likelihood', a.likelihood, 'impact', a.impact, \
    'status', a.status, 'note', a.note, 'updated_at', a.updated_at, 'review', a.review, \
    'submitted_by', a.submitted_by, 'reviewed_by', a.reviewed_by, \
    'reviewed_at', a.reviewed_at, 'review_note', a.review_note) ORDER BY a.year), '[]') \
    FROM risk_assessments a WHERE a.risk_id = risks.id)";

/// The assessments that [`OF_RISK_JSON`] gave.
pub fn from_json(assessments: serde_json::Value) -> Result<Vec<Assessment>, ApiError> {
    let rows: Vec<AssessmentRow> = serde_json::from_value(assessments)
        .map_err(|e| ApiError::internal("risk assessments", e))?;
    Ok(rows
        .into_iter()
        .map(AssessmentRow::into_assessment)
        .collect())
}

/// The assessments of several risks in one query, oldest year first, by risk.
pub fn of_risks(
    conn: &mut PgConnection,
    ids: &[i32],
) -> QueryResult<HashMap<i32, Vec<Assessment>>> {
    let rows = risk_assessments::table
        .filter(risk_assessments::risk_id.eq_any(ids))
        .select(AssessmentRow::as_select())
        .order((risk_assessments::risk_id, risk_assessments::year))
        .load(conn)?;
    Ok(links::grouped(
        rows.into_iter()
            .map(|row| (row.risk_id, row.into_assessment()))
            .collect(),
    ))
}

pub fn list(conn: &mut PgConnection, risk_id: i32) -> Result<Vec<Assessment>, ApiError> {
    risks::repo::ensure_exists(conn, risk_id)?;
    Ok(of_risks(conn, &[risk_id])?
        .remove(&risk_id)
        .unwrap_or_default())
}

fn not_found(risk_id: i32, year: i32) -> ApiError {
    ApiError::NotFound(format!("Risk {risk_id} has no assessment for {year}."))
}

fn current(conn: &mut PgConnection, risk_id: i32, year: i32) -> QueryResult<Option<Assessment>> {
    Ok(risk_assessments::table
        .find((risk_id, year))
        .select(AssessmentRow::as_select())
        .first(conn)
        .optional()?
        .map(AssessmentRow::into_assessment))
}

pub fn find(conn: &mut PgConnection, risk_id: i32, year: i32) -> Result<Assessment, ApiError> {
    risks::repo::ensure_exists(conn, risk_id)?;
    current(conn, risk_id, year)?.ok_or_else(|| not_found(risk_id, year))
}

/// Creates or replaces the assessment of `year`; tells whether it was created.
pub fn put(
    conn: &mut PgConnection,
    principal: &Principal,
    risk_id: i32,
    year: i32,
    input: AssessmentInput,
    precondition: &Precondition,
) -> Result<(Assessment, bool), ApiError> {
    risks::repo::lock(conn, principal, risk_id)?;
    years::ensure_writable(conn, principal, year)?;
    let existing = current(conn, risk_id, year)?;
    precondition.check_optional(existing.as_ref())?;
    let values = (
        risk_assessments::likelihood.eq(input.likelihood),
        risk_assessments::impact.eq(input.impact),
        risk_assessments::status.eq(input.status),
        risk_assessments::note.eq(&input.note),
        risk_assessments::submitted_by.eq(&principal.name),
        risk_assessments::updated_at.eq(diesel::dsl::now),
    );
    let row = diesel::insert_into(risk_assessments::table)
        .values((
            risk_assessments::risk_id.eq(risk_id),
            risk_assessments::year.eq(year),
            values,
        ))
        .on_conflict((risk_assessments::risk_id, risk_assessments::year))
        .do_update()
        .set(values)
        .returning(AssessmentRow::as_returning())
        .get_result(conn)?;
    risks::repo::touch(conn, risk_id)?;
    let assessment = row.into_assessment();
    let entity = format!("{risk_id}/{year}");
    audit::record(
        conn,
        principal,
        EntityType::RiskAssessment,
        entity,
        existing.as_ref(),
        Some(&assessment),
    )?;
    Ok((assessment, existing.is_none()))
}

crate::years::writes::yearly_writes! {
    table: risk_assessments,
    row: AssessmentRow => Assessment via AssessmentRow::into_assessment,
    lock: risks::repo::lock, touch: risks::repo::touch,
    current: current, not_found: not_found,
    entity: EntityType::RiskAssessment,
    what: "assessment of risk",
    delete: delete, review: review,
}
