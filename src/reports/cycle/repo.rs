//! The yearly cycle of a report: opening a year for the departments' answers and closing the
//! collection. The states and their transitions are the database's (`report_years`); this
//! module takes the year's exclusive lock, as adoption does, so that no answer is written
//! while the year changes state.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Integer;

use crate::api::Precondition;
use crate::audit;
use crate::audit::EntityType;
use crate::auth::Principal;
use crate::db::schema::{action_statuses, report_years, risk_assessments};
use crate::error::ApiError;
use crate::reports::dto::{OpenInput, ReportStatus, ReportYear};
use crate::reports::repo;
use crate::years::ReviewState;

/// Waits for the writers of `year`'s statuses and assessments and keeps new ones out until
/// the transaction ends.
fn lock_year(conn: &mut PgConnection, year: i32) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(217, $1)")
        .bind::<Integer, _>(year)
        .execute(conn)
        .map(|_| ())
}

/// The stored metadata of `year`, locked for the rest of the transaction.
fn stored(conn: &mut PgConnection, year: i32) -> Result<Option<ReportYear>, ApiError> {
    let exists: bool = diesel::select(diesel::dsl::exists(
        report_years::table.find(year).for_update(),
    ))
    .get_result(conn)?;
    Ok(if exists {
        Some(repo::find(conn, year)?)
    } else {
        None
    })
}

/// Opens `year` for collection, or changes its deadline while it collects; tells whether its
/// metadata was created. Re-opening a draft starts collecting again; an adopted year is 409.
/// When the year becomes reviewed, the rows it already has wait for review like new ones.
pub fn open(
    conn: &mut PgConnection,
    principal: &Principal,
    year: i32,
    input: OpenInput,
    precondition: &Precondition,
) -> Result<(ReportYear, bool), ApiError> {
    lock_year(conn, year)?;
    let before = stored(conn, year)?;
    precondition.check_optional(before.as_ref())?;
    if let Some(before) = &before {
        if before.status == ReportStatus::Adopted {
            return Err(ApiError::Conflict(format!(
                "The report of {year} is adopted: it cannot be opened again."
            )));
        }
        if before.review_required && !input.review_required {
            return Err(ApiError::Conflict(format!(
                "The answers of {year} are reviewed: a reviewed year stays reviewed."
            )));
        }
    }
    let unchanged = before.as_ref().is_some_and(|b| {
        b.status == ReportStatus::Collecting
            && b.collect_until == Some(input.collect_until)
            && b.review_required == input.review_required
    });
    if let (true, Some(before)) = (unchanged, &before) {
        return Ok((before.clone(), false));
    }
    let values = (
        report_years::status.eq(ReportStatus::Collecting),
        report_years::collect_until.eq(input.collect_until),
        report_years::review_required.eq(input.review_required),
        report_years::updated_at.eq(diesel::dsl::now),
    );
    diesel::insert_into(report_years::table)
        .values((
            report_years::year.eq(year),
            report_years::title.eq(format!("Voortgangsrapport {year}")),
            values,
        ))
        .on_conflict(report_years::year)
        .do_update()
        .set(values)
        .execute(conn)?;
    if input.review_required {
        diesel::update(
            action_statuses::table
                .filter(action_statuses::year.eq(year))
                .filter(action_statuses::review.is_null()),
        )
        .set(action_statuses::review.eq(ReviewState::Submitted))
        .execute(conn)?;
        diesel::update(
            risk_assessments::table
                .filter(risk_assessments::year.eq(year))
                .filter(risk_assessments::review.is_null()),
        )
        .set(risk_assessments::review.eq(ReviewState::Submitted))
        .execute(conn)?;
    }
    let after = repo::find(conn, year)?;
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

/// Closes the collection of `year`: from `collecting` to `draft`, after which editors no
/// longer write its statuses and assessments.
pub fn close(
    conn: &mut PgConnection,
    principal: &Principal,
    year: i32,
    precondition: &Precondition,
) -> Result<ReportYear, ApiError> {
    lock_year(conn, year)?;
    let before = stored(conn, year)?.filter(|b| b.status == ReportStatus::Collecting);
    let Some(before) = before else {
        return Err(ApiError::Conflict(format!(
            "The report of {year} is not collecting answers: open it first (POST /api/v1/reports/{year}/open)."
        )));
    };
    precondition.check(&before)?;
    diesel::update(report_years::table.find(year))
        .set((
            report_years::status.eq(ReportStatus::Draft),
            report_years::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    let after = repo::find(conn, year)?;
    audit::record(
        conn,
        principal,
        EntityType::ReportYear,
        year,
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}
