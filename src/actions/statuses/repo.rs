//! Action status queries.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::dto::{ActionStatus, Progress, StatusInput};
use crate::api::Precondition;
use crate::audit::EntityType;
use crate::auth::Principal;
use crate::db::schema::action_statuses;
use crate::error::ApiError;
use crate::links;
use crate::years::{self, Review, ReviewState};
use crate::{actions, audit};

#[derive(Debug, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = action_statuses)]
struct StatusRow {
    action_id: i32,
    year: i32,
    status: Progress,
    progress: Option<i32>,
    note: Option<String>,
    updated_at: DateTime<Utc>,
    review: Option<ReviewState>,
    submitted_by: Option<String>,
    reviewed_by: Option<String>,
    reviewed_at: Option<DateTime<Utc>>,
    review_note: Option<String>,
}

impl From<StatusRow> for ActionStatus {
    fn from(row: StatusRow) -> Self {
        Self {
            year: row.year,
            status: row.status,
            progress: row.progress,
            note: row.note,
            updated_at: row.updated_at.into(),
            review: Review::of(
                row.review,
                row.submitted_by,
                row.reviewed_by,
                row.reviewed_at,
                row.review_note,
            ),
        }
    }
}

/// The statuses of the enclosing query's `actions` row as one JSON array, oldest year first:
/// selected beside the row when one is read (`actions::repo::find`), it spares a statement.
pub const OF_ACTION_JSON: &str = "(SELECT coalesce(json_agg(json_build_object(\
    'action_id', s.action_id, 'year', s.year, 'status', s.status, 'progress', s.progress, \
    'note', s.note, 'updated_at', s.updated_at, 'review', s.review, \
    'submitted_by', s.submitted_by, 'reviewed_by', s.reviewed_by, \
    'reviewed_at', s.reviewed_at, 'review_note', s.review_note) ORDER BY s.year), '[]') \
    FROM action_statuses s WHERE s.action_id = actions.id)";

/// The statuses that [`OF_ACTION_JSON`] gave.
pub fn from_json(statuses: serde_json::Value) -> Result<Vec<ActionStatus>, ApiError> {
    let rows: Vec<StatusRow> =
        serde_json::from_value(statuses).map_err(|e| ApiError::internal("action statuses", e))?;
    Ok(rows.into_iter().map(ActionStatus::from).collect())
}

/// The statuses of several actions in one query, oldest year first, by action.
pub fn of_actions(
    conn: &mut PgConnection,
    ids: &[i32],
) -> QueryResult<HashMap<i32, Vec<ActionStatus>>> {
    let rows: Vec<StatusRow> = action_statuses::table
        .filter(action_statuses::action_id.eq_any(ids))
        .select(StatusRow::as_select())
        .order((action_statuses::action_id, action_statuses::year))
        .load(conn)?;
    Ok(links::grouped(
        rows.into_iter()
            .map(|row| (row.action_id, ActionStatus::from(row)))
            .collect(),
    ))
}

pub fn list(conn: &mut PgConnection, action_id: i32) -> Result<Vec<ActionStatus>, ApiError> {
    actions::repo::ensure_exists(conn, action_id)?;
    Ok(of_actions(conn, &[action_id])?
        .remove(&action_id)
        .unwrap_or_default())
}

fn not_found(action_id: i32, year: i32) -> ApiError {
    ApiError::NotFound(format!("Action {action_id} has no status for {year}."))
}

/// The status of `year`, if the action has one (the action itself is not checked).
pub fn current(
    conn: &mut PgConnection,
    action_id: i32,
    year: i32,
) -> QueryResult<Option<ActionStatus>> {
    Ok(action_statuses::table
        .find((action_id, year))
        .select(StatusRow::as_select())
        .first(conn)
        .optional()?
        .map(ActionStatus::from))
}

pub fn find(conn: &mut PgConnection, action_id: i32, year: i32) -> Result<ActionStatus, ApiError> {
    actions::repo::ensure_exists(conn, action_id)?;
    current(conn, action_id, year)?.ok_or_else(|| not_found(action_id, year))
}

/// Writes the status of `year` as `writer`'s without checks; the action must exist and be
/// locked. In a year under review the database marks it submitted.
pub fn upsert(
    conn: &mut PgConnection,
    writer: &Principal,
    action_id: i32,
    year: i32,
    input: &StatusInput,
) -> QueryResult<ActionStatus> {
    let values = (
        action_statuses::status.eq(input.status),
        action_statuses::progress.eq(input.progress),
        action_statuses::note.eq(&input.note),
        action_statuses::submitted_by.eq(&writer.name),
        action_statuses::updated_at.eq(diesel::dsl::now),
    );
    let row = diesel::insert_into(action_statuses::table)
        .values((
            action_statuses::action_id.eq(action_id),
            action_statuses::year.eq(year),
            values,
        ))
        .on_conflict((action_statuses::action_id, action_statuses::year))
        .do_update()
        .set(values)
        .returning(StatusRow::as_returning())
        .get_result(conn)?;
    Ok(row.into())
}

/// Creates or replaces the status of `year`; tells whether it was created.
pub fn put(
    conn: &mut PgConnection,
    principal: &Principal,
    action_id: i32,
    year: i32,
    input: StatusInput,
    precondition: &Precondition,
) -> Result<(ActionStatus, bool), ApiError> {
    actions::repo::lock(conn, principal, action_id)?;
    years::ensure_writable(conn, principal, year)?;
    let existing = current(conn, action_id, year)?;
    precondition.check_optional(existing.as_ref())?;
    let status = upsert(conn, principal, action_id, year, &input)?;
    actions::repo::touch(conn, action_id)?;
    let entity = format!("{action_id}/{year}");
    audit::record(
        conn,
        principal,
        EntityType::ActionStatus,
        entity,
        existing.as_ref(),
        Some(&status),
    )?;
    Ok((status, existing.is_none()))
}

crate::years::writes::yearly_writes! {
    table: action_statuses,
    row: StatusRow => ActionStatus via ActionStatus::from,
    lock: actions::repo::lock, touch: actions::repo::touch,
    current: current, not_found: not_found,
    entity: EntityType::ActionStatus,
    what: "status of action",
    delete: delete, review: review,
}
