//! Report year queries.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Integer;

use super::dto::{ReportStatus, ReportYear, ReportYearInput};
use crate::api::Precondition;
use crate::audit;
use crate::audit::EntityType;
use crate::auth::Principal;
use crate::db::schema::report_years;
use crate::error::ApiError;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = report_years)]
struct YearRow {
    year: i32,
    title: String,
    status: ReportStatus,
    presented_to: Option<String>,
    presented_on: Option<NaiveDate>,
    adopted_on: Option<NaiveDate>,
    decision_url: Option<String>,
    introduction: Option<String>,
    sha256: Option<String>,
    collect_until: Option<NaiveDate>,
    review_required: bool,
    updated_at: DateTime<Utc>,
}

impl From<YearRow> for ReportYear {
    fn from(row: YearRow) -> Self {
        Self {
            year: row.year,
            title: row.title,
            status: row.status,
            collect_until: row.collect_until,
            review_required: row.review_required,
            presented_to: row.presented_to,
            presented_on: row.presented_on,
            adopted_on: row.adopted_on,
            decision_url: row.decision_url,
            introduction: row.introduction,
            sha256: row.sha256,
            updated_at: row.updated_at.into(),
        }
    }
}

/// The metadata a year without its own has: a draft with a plain title.
fn default_year(year: i32) -> ReportYear {
    ReportYear {
        year,
        title: format!("Voortgangsrapport {year}"),
        status: ReportStatus::Draft,
        collect_until: None,
        review_required: false,
        presented_to: None,
        presented_on: None,
        adopted_on: None,
        decision_url: None,
        introduction: None,
        sha256: None,
        updated_at: DateTime::<Utc>::UNIX_EPOCH.into(),
    }
}

#[derive(QueryableByName)]
struct Year {
    #[diesel(sql_type = Integer)]
    year: i32,
}

/// The years that have a report: metadata, or assessments or statuses of that year.
pub fn years(conn: &mut PgConnection) -> Result<Vec<ReportYear>, ApiError> {
    let years: Vec<Year> = diesel::sql_query(
        "SELECT year FROM report_years UNION SELECT year FROM action_statuses \
         UNION SELECT year FROM risk_assessments ORDER BY year",
    )
    .load(conn)?;
    let mut rows: Vec<ReportYear> = report_years::table
        .select(YearRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ReportYear::from)
        .collect();
    Ok(years
        .into_iter()
        .map(
            |Year { year }| match rows.iter().position(|r| r.year == year) {
                Some(index) => rows.swap_remove(index),
                None => default_year(year),
            },
        )
        .collect())
}

/// The metadata of `year`, if it has a report.
pub fn find(conn: &mut PgConnection, year: i32) -> Result<ReportYear, ApiError> {
    let row = report_years::table
        .find(year)
        .select(YearRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(row) = row {
        return Ok(row.into());
    }
    let has_data = years(conn)?.iter().any(|y| y.year == year);
    if has_data {
        Ok(default_year(year))
    } else {
        Err(ApiError::NotFound(format!(
            "There is no report for {year}: no metadata, statuses or assessments."
        )))
    }
}

/// Creates or replaces the metadata of `year` (not its status: adoption has its own operation).
pub fn put(
    conn: &mut PgConnection,
    principal: &Principal,
    year: i32,
    input: ReportYearInput,
    precondition: &Precondition,
) -> Result<(ReportYear, bool), ApiError> {
    let before: Option<ReportYear> = report_years::table
        .find(year)
        .select(YearRow::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .map(ReportYear::from);
    precondition.check_optional(before.as_ref())?;
    let values = (
        report_years::title.eq(&input.title),
        report_years::presented_to.eq(&input.presented_to),
        report_years::presented_on.eq(input.presented_on),
        report_years::decision_url.eq(&input.decision_url),
        report_years::introduction.eq(&input.introduction),
        report_years::updated_at.eq(diesel::dsl::now),
    );
    let row = diesel::insert_into(report_years::table)
        .values((report_years::year.eq(year), values))
        .on_conflict(report_years::year)
        .do_update()
        .set(values)
        .returning(YearRow::as_returning())
        .get_result(conn)?;
    let after = ReportYear::from(row);
    audit::record(
        conn,
        principal,
        EntityType::ReportYear,
        year,
        before.as_ref(),
        Some(&after),
    )?;
    Ok((after, before.is_none()))
}
