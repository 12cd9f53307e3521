//! Adoption: the council adopts a year's report, which is then preserved byte for byte.
//!
//! The snapshot is the assembled report as served, with `report.status` `adopted` and
//! `report.sha256` its own hash. A hash cannot hash itself, so it is computed over the body
//! with 64 zeros in place of the hash: anyone can check a served report by putting the zeros
//! back and hashing.

use std::sync::Arc;

use chrono::{Datelike, DurationRound, TimeDelta, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use sha2::{Digest, Sha256};

use super::assemble;
use super::cache::Rendered;
use super::cycle::worklist;
use super::dto::{AdoptInput, Incomplete, ReportStatus, ReportYear};
use super::repo;
use crate::audit;
use crate::audit::EntityType;
use crate::auth::Principal;
use crate::db::schema::{report_snapshots, report_years};
use crate::error::ApiError;

/// Stands in for the hash while it is computed.
const PLACEHOLDER: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of a snapshot `body` that holds `sha256` as its own hash: SHA-256 of the body
/// with the placeholder in its place.
pub fn snapshot_hash(body: &str, sha256: &str) -> String {
    let unsealed = body.replacen(
        &format!("\"sha256\":\"{sha256}\""),
        &format!("\"sha256\":\"{PLACEHOLDER}\""),
        1,
    );
    hex::encode(Sha256::digest(unsealed.as_bytes()))
}

/// The snapshot of `year`, if it was adopted.
pub fn snapshot(conn: &mut PgConnection, year: i32) -> Result<Option<Arc<Rendered>>, ApiError> {
    let found: Option<(String, String)> = report_snapshots::table
        .find(year)
        .select((report_snapshots::body, report_snapshots::sha256))
        .first(conn)
        .optional()?;
    Ok(found.map(|(body, sha256)| {
        Arc::new(Rendered {
            etag: format!("\"{sha256}\""),
            body: body.into(),
        })
    }))
}

/// Adopts the report of `year`: freezes it as a snapshot, marks the year adopted (which locks
/// its assessments and statuses) and records the event. Runs inside the caller's transaction.
pub fn adopt(
    conn: &mut PgConnection,
    principal: &Principal,
    year: i32,
    input: AdoptInput,
) -> Result<ReportYear, ApiError> {
    // writers of this year's assessments and statuses hold the shared lock: wait for them, and
    // keep new ones out until the snapshot is committed
    diesel::sql_query("SELECT pg_advisory_xact_lock(217, $1)")
        .bind::<Integer, _>(year)
        .execute(conn)?;
    let before = repo::find(conn, year)?;
    if before.status == ReportStatus::Adopted {
        return Err(ApiError::Conflict(format!(
            "The report of {year} was adopted on {}; re-opening an adopted report is not offered.",
            before
                .adopted_on
                .map_or_else(|| "an earlier day".into(), |d| d.to_string())
        )));
    }
    let incomplete = if before.collect_until.is_some() {
        outstanding(conn, principal, &before, input.accept_incomplete)?
    } else {
        None
    };
    let existed: bool =
        diesel::select(diesel::dsl::exists(report_years::table.find(year))).get_result(conn)?;
    let now = Utc::now()
        .duration_trunc(TimeDelta::microseconds(1))
        .map_err(|e| ApiError::internal("clock", e))?;
    let mut report = assemble::assemble(conn, year)?;
    report.incomplete = incomplete;
    let adopted = &mut report.report;
    adopted.status = ReportStatus::Adopted;
    let adopted_on = input.adopted_on.unwrap_or_else(|| now.date_naive());
    if adopted_on.year() < year {
        return Err(ApiError::invalid(
            "adopted_on",
            format!("must not be before the report year {year}"),
        ));
    }
    adopted.adopted_on = Some(adopted_on);
    adopted.decision_url = input.decision_url.or(adopted.decision_url.take());
    adopted.sha256 = Some(PLACEHOLDER.into());
    adopted.updated_at = now.into();

    let unsealed = serde_json::to_string(&report).map_err(|e| ApiError::internal("report", e))?;
    let sha256 = hex::encode(Sha256::digest(unsealed.as_bytes()));
    let body = unsealed.replacen(
        &format!("\"sha256\":\"{PLACEHOLDER}\""),
        &format!("\"sha256\":\"{sha256}\""),
        1,
    );
    let mut after = report.report;
    after.sha256 = Some(sha256.clone());

    let values = (
        report_years::title.eq(&after.title),
        report_years::status.eq(ReportStatus::Adopted),
        report_years::adopted_on.eq(after.adopted_on),
        report_years::decision_url.eq(&after.decision_url),
        report_years::sha256.eq(&after.sha256),
        report_years::updated_at.eq(now),
    );
    diesel::insert_into(report_years::table)
        .values((report_years::year.eq(year), values))
        .on_conflict(report_years::year)
        .do_update()
        .set(values)
        .execute(conn)?;
    diesel::insert_into(report_snapshots::table)
        .values((
            report_snapshots::year.eq(year),
            report_snapshots::body.eq(&body),
            report_snapshots::sha256.eq(&sha256),
            report_snapshots::adopted_at.eq(now),
            report_snapshots::adopted_by.eq(&principal.name),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        principal,
        EntityType::ReportYear,
        year,
        existed.then_some(&before),
        Some(&after),
    )?;
    Ok(after)
}

/// For a year that went through collection: 409 while it still collects, and while items
/// are open, waiting for review or returned, unless the adopter accepts that (`accept`),
/// which the snapshot then records.
fn outstanding(
    conn: &mut PgConnection,
    principal: &Principal,
    year: &ReportYear,
    accept: bool,
) -> Result<Option<Incomplete>, ApiError> {
    if year.status == ReportStatus::Collecting {
        return Err(ApiError::Conflict(format!(
            "The report of {} is still collecting answers: close the collection first \
             (POST /api/v1/reports/{}/close).",
            year.year, year.year
        )));
    }
    let progress = worklist::progress(conn, year.year)?;
    let totals = &progress.totals;
    if totals.open + totals.waiting + totals.returned == 0 {
        return Ok(None);
    }
    if accept {
        return Ok(Some(Incomplete {
            open: totals.open,
            waiting: totals.waiting,
            returned: totals.returned,
            accepted_by: principal.name.clone(),
        }));
    }
    let lines: Vec<String> = progress
        .departments
        .iter()
        .filter(|d| d.open + d.waiting + d.returned > 0)
        .map(|d| {
            format!(
                "{}: {} open, {} waiting for review, {} returned",
                d.department_id.as_deref().unwrap_or("without department"),
                d.open,
                d.waiting,
                d.returned
            )
        })
        .collect();
    Err(ApiError::Conflict(format!(
        "The collection of {} is not complete ({}); adopt with accept_incomplete=true to adopt \
         it nonetheless, which the report records.",
        year.year,
        lines.join("; ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_hash_is_checked_with_zeros_in_its_place() {
        let unsealed = format!("{{\"report\":{{\"sha256\":\"{PLACEHOLDER}\"}},\"x\":1}}");
        let sha256 = hex::encode(Sha256::digest(unsealed.as_bytes()));
        let body = unsealed.replace(PLACEHOLDER, &sha256);
        assert_eq!(snapshot_hash(&body, &sha256), sha256);
        let tampered = body.replace("\"x\":1", "\"x\":2");
        assert_ne!(snapshot_hash(&tampered, &sha256), sha256);
    }
}
