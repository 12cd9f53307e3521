//! Recommendation queries. One recommendation is one statement, its actions and yearly
//! statuses aggregated beside its row; a page is one statement too.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::AsSelect;
use diesel::pg::Pg;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Json};

use super::dto::{
    Implementation, NewRecommendation, Priority, Recommendation, RecommendationPatch,
    RecommendationStatus, RecommendationStatusInput, RecommendationUpsert,
};
use crate::api::listing::{Key, RowKey, SortKey, Window};
use crate::api::Precondition;
use crate::audit::{self as trail, EntityType};
use crate::auth::{self, Principal};
use crate::db::fixed::Fixed;
use crate::db::schema::{recommendation_actions, recommendation_statuses, recommendations};
use crate::error::ApiError;
use crate::links;
use crate::years::{self, Review, ReviewState};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = recommendations)]
struct RecommendationRow {
    id: i32,
    audit_id: i32,
    external_ref: Option<String>,
    text: String,
    priority: Priority,
    department_id: Option<String>,
    due_on: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, Queryable, Selectable, serde::Deserialize)]
#[diesel(table_name = recommendation_statuses)]
struct StatusRow {
    year: i32,
    status: Implementation,
    note: Option<String>,
    updated_at: DateTime<Utc>,
    review: Option<ReviewState>,
    submitted_by: Option<String>,
    reviewed_by: Option<String>,
    reviewed_at: Option<DateTime<Utc>>,
    review_note: Option<String>,
}

impl From<StatusRow> for RecommendationStatus {
    fn from(row: StatusRow) -> Self {
        Self {
            year: row.year,
            status: row.status,
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

const STATUSES_JSON: &str = "(SELECT coalesce(json_agg(json_build_object(\
    'year', s.year, 'status', s.status, 'note', s.note, 'updated_at', s.updated_at, \
    'review', s.review, 'submitted_by', s.submitted_by, 'reviewed_by', s.reviewed_by, \
    'reviewed_at', s.reviewed_at, 'review_note', s.review_note) ORDER BY s.year), '[]') \
    FROM recommendation_statuses s WHERE s.recommendation_id = recommendations.id)";

/// A recommendation's row with its actions and statuses beside it.
type Record = (RecommendationRow, Vec<i32>, serde_json::Value);

type RecordColumns = (
    AsSelect<RecommendationRow, Pg>,
    Fixed<Array<Integer>>,
    Fixed<Json>,
);

fn record() -> RecordColumns {
    (
        RecommendationRow::as_select(),
        Fixed::new("ARRAY(SELECT a.action_id FROM recommendation_actions a WHERE a.recommendation_id = recommendations.id ORDER BY a.action_id)"),
        Fixed::new(STATUSES_JSON),
    )
}

fn recommendation_of((row, action_ids, statuses): Record) -> Result<Recommendation, ApiError> {
    let statuses: Vec<StatusRow> = serde_json::from_value(statuses)
        .map_err(|e| ApiError::internal("recommendation statuses", e))?;
    Ok(Recommendation {
        action_ids,
        statuses: statuses.into_iter().map(Into::into).collect(),
        id: row.id,
        audit_id: row.audit_id,
        external_ref: row.external_ref,
        text: row.text,
        priority: row.priority,
        department_id: row.department_id,
        due_on: row.due_on,
        created_at: row.created_at.into(),
        updated_at: row.updated_at.into(),
    })
}

crate::db::owned_rows!(recommendations, "recommendation", external_ref);

/// What the recommendation list is asked for.
#[derive(Debug)]
pub struct RecommendationFilter {
    pub audit_id: Option<i32>,
    pub department_id: Option<String>,
    pub priority: Option<Priority>,
    pub year: Option<i32>,
    pub status: Option<Implementation>,
    pub window: Window,
}

type Ranked = (RecommendationRow, Vec<i32>, serde_json::Value, f32);

/// One page of recommendations, and the key to continue after: one statement.
pub fn list(
    conn: &mut PgConnection,
    f: RecommendationFilter,
) -> Result<(Vec<Recommendation>, Option<Key>), ApiError> {
    let window = f.window;
    if window.sort.key == SortKey::Title {
        return Err(ApiError::BadRequest(
            "recommendations have no title: sort by id, created_at, updated_at or rank".into(),
        ));
    }
    let (row, actions, statuses) = record();
    let mut query = recommendations::table
        .select((row, actions, statuses, window.rank("recommendations")))
        .into_boxed();
    if let Some(audit) = f.audit_id {
        query = query.filter(recommendations::audit_id.eq(audit));
    }
    if let Some(department) = f.department_id {
        query = query.filter(recommendations::department_id.eq(department));
    }
    if let Some(priority) = f.priority {
        query = query.filter(recommendations::priority.eq(priority));
    }
    if let Some(year) = f.year {
        let mut with_status = recommendation_statuses::table
            .filter(recommendation_statuses::year.eq(year))
            .select(recommendation_statuses::recommendation_id)
            .into_boxed();
        if let Some(status) = f.status {
            with_status = with_status.filter(recommendation_statuses::status.eq(status));
        }
        query = query.filter(recommendations::id.eq_any(with_status));
    }
    for condition in window.conditions("recommendations") {
        query = query.filter(condition);
    }
    let rows: Vec<Ranked> = query
        .order(window.order("recommendations"))
        .limit(window.rows())
        .load(conn)?;
    let rows = rows
        .into_iter()
        .map(|(row, actions, statuses, rank)| ((row, actions, statuses), rank))
        .collect();
    let (rows, next) = window.split(rows, |(row, ..): &Record, rank| RowKey {
        id: row.id,
        title: "",
        created_at: row.created_at,
        updated_at: row.updated_at,
        rank,
    });
    let items = rows
        .into_iter()
        .map(recommendation_of)
        .collect::<Result<_, _>>()?;
    Ok((items, next))
}

pub fn find(conn: &mut PgConnection, id: i32) -> Result<Recommendation, ApiError> {
    let record: Record = recommendations::table
        .find(id)
        .select(record())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))?;
    recommendation_of(record)
}

fn replace_actions(conn: &mut PgConnection, id: i32, action_ids: &[i32]) -> QueryResult<()> {
    diesel::delete(
        recommendation_actions::table.filter(recommendation_actions::recommendation_id.eq(id)),
    )
    .execute(conn)?;
    let rows: Vec<_> = action_ids
        .iter()
        .map(|a| {
            (
                recommendation_actions::recommendation_id.eq(id),
                recommendation_actions::action_id.eq(a),
            )
        })
        .collect();
    diesel::insert_into(recommendation_actions::table)
        .values(rows)
        .execute(conn)
        .map(|_| ())
}

pub fn create(
    conn: &mut PgConnection,
    principal: &Principal,
    audit_id: i32,
    new: NewRecommendation,
) -> Result<Recommendation, ApiError> {
    super::super::repo::ensure_exists(conn, audit_id)?;
    ensure_external_ref_free(conn, new.external_ref.as_deref(), None)?;
    links::department(conn, new.department_id.as_deref(), "department_id")?;
    let action_ids = links::normalised(new.action_ids);
    links::actions_to_link(conn, principal, &action_ids, "action_ids")?;
    let id: i32 = diesel::insert_into(recommendations::table)
        .values((
            recommendations::audit_id.eq(audit_id),
            recommendations::external_ref.eq(&new.external_ref),
            recommendations::text.eq(&new.text),
            recommendations::priority.eq(new.priority),
            recommendations::department_id.eq(&new.department_id),
            recommendations::due_on.eq(new.due_on),
        ))
        .returning(recommendations::id)
        .get_result(conn)?;
    replace_actions(conn, id, &action_ids)?;
    let created = find(conn, id)?;
    trail::created(conn, principal, EntityType::Recommendation, id, &created)?;
    Ok(created)
}

pub fn update(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
    patch: RecommendationPatch,
    precondition: &Precondition,
) -> Result<Recommendation, ApiError> {
    lock(conn, principal, id)?;
    let current = find(conn, id)?;
    let external_ref = patch
        .external_ref
        .unwrap_or_else(|| current.external_ref.clone());
    if external_ref != current.external_ref {
        ensure_external_ref_free(conn, external_ref.as_deref(), Some(id))?;
    }
    let department_id = patch
        .department_id
        .unwrap_or_else(|| current.department_id.clone());
    links::department(conn, department_id.as_deref(), "department_id")?;
    let action_ids = patch
        .action_ids
        .map(links::normalised)
        .unwrap_or_else(|| current.action_ids.clone());
    links::actions_to_link(conn, principal, &action_ids, "action_ids")?;
    precondition.check(&current)?;
    diesel::update(recommendations::table.find(id))
        .set((
            recommendations::external_ref.eq(external_ref),
            recommendations::text.eq(patch.text.unwrap_or_else(|| current.text.clone())),
            recommendations::priority.eq(patch.priority.unwrap_or(current.priority)),
            recommendations::department_id.eq(department_id),
            recommendations::due_on.eq(patch.due_on.unwrap_or(current.due_on)),
            recommendations::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    replace_actions(conn, id, &action_ids)?;
    let changed = find(conn, id)?;
    trail::changed(
        conn,
        principal,
        EntityType::Recommendation,
        id,
        &current,
        &changed,
    )?;
    Ok(changed)
}

/// Deletes a recommendation with its statuses (refused by the database when one of them is
/// in an adopted year).
pub fn delete(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    lock(conn, principal, id)?;
    let current = find(conn, id)?;
    precondition.check(&current)?;
    diesel::delete(recommendations::table.find(id)).execute(conn)?;
    trail::deleted(conn, principal, EntityType::Recommendation, id, &current)?;
    Ok(())
}

fn status_not_found(id: i32, year: i32) -> ApiError {
    ApiError::NotFound(format!("Recommendation {id} has no status for {year}."))
}

fn current_status(
    conn: &mut PgConnection,
    id: i32,
    year: i32,
) -> QueryResult<Option<RecommendationStatus>> {
    Ok(recommendation_statuses::table
        .find((id, year))
        .select(StatusRow::as_select())
        .first(conn)
        .optional()?
        .map(RecommendationStatus::from))
}

pub fn statuses(conn: &mut PgConnection, id: i32) -> Result<Vec<RecommendationStatus>, ApiError> {
    Ok(find(conn, id)?.statuses)
}

pub fn find_status(
    conn: &mut PgConnection,
    id: i32,
    year: i32,
) -> Result<RecommendationStatus, ApiError> {
    ensure_exists(conn, id)?;
    current_status(conn, id, year)?.ok_or_else(|| status_not_found(id, year))
}

/// Creates or replaces the status of `year`; tells whether it was created. `risk_accepted`
/// is a reviewer's or admin's decision and says why.
pub fn put_status(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
    year: i32,
    input: RecommendationStatusInput,
    precondition: &Precondition,
) -> Result<(RecommendationStatus, bool), ApiError> {
    lock(conn, principal, id)?;
    if input.status == Implementation::RiskAccepted {
        if !principal
            .role
            .is_some_and(auth::Role::changes_every_department)
        {
            return Err(ApiError::Forbidden(format!(
                "Accepting the risk of not implementing a recommendation is a reviewer's or admin's decision, not `{}`'s.",
                principal.name
            )));
        }
        if input.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(ApiError::invalid(
                "note",
                "is required for risk_accepted: say why the risk is accepted",
            ));
        }
    }
    years::ensure_writable(conn, principal, year)?;
    let existing = current_status(conn, id, year)?;
    precondition.check_optional(existing.as_ref())?;
    let values = (
        recommendation_statuses::status.eq(input.status),
        recommendation_statuses::note.eq(&input.note),
        recommendation_statuses::submitted_by.eq(&principal.name),
        recommendation_statuses::updated_at.eq(diesel::dsl::now),
    );
    let row: StatusRow = diesel::insert_into(recommendation_statuses::table)
        .values((
            recommendation_statuses::recommendation_id.eq(id),
            recommendation_statuses::year.eq(year),
            values,
        ))
        .on_conflict((
            recommendation_statuses::recommendation_id,
            recommendation_statuses::year,
        ))
        .do_update()
        .set(values)
        .returning(StatusRow::as_returning())
        .get_result(conn)?;
    let status = RecommendationStatus::from(row);
    touch(conn, id)?;
    let entity = format!("{id}/{year}");
    trail::record(
        conn,
        principal,
        EntityType::RecommendationStatus,
        entity,
        existing.as_ref(),
        Some(&status),
    )?;
    Ok((status, existing.is_none()))
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    Unchanged,
}

/// Creates or brings up to date the recommendation holding `external_ref`, and the statuses of
/// the years the input names; writes (and records) only what differs, so a script re-run
/// changes nothing.
pub fn upsert(
    conn: &mut PgConnection,
    principal: &Principal,
    external_ref: &str,
    input: RecommendationUpsert,
) -> Result<(Recommendation, Upserted), ApiError> {
    let mut years: Vec<i32> = input.statuses.iter().map(|s| s.year).collect();
    years.sort_unstable();
    if years.windows(2).any(|w| w[0] == w[1]) {
        return Err(ApiError::invalid("statuses", "lists a year more than once"));
    }
    let held: Option<i32> = recommendations::table
        .filter(recommendations::external_ref.eq(external_ref))
        .select(recommendations::id)
        .first(conn)
        .optional()?;
    let action_ids = links::normalised(input.action_ids);
    let (id, mut outcome) = match held {
        None => {
            let new = NewRecommendation {
                external_ref: Some(external_ref.to_string()),
                text: input.text,
                priority: input.priority,
                department_id: input.department_id,
                due_on: input.due_on,
                action_ids,
            };
            (
                create(conn, principal, input.audit_id, new)?.id,
                Upserted::Created,
            )
        }
        Some(id) => {
            lock(conn, principal, id)?;
            let current = find(conn, id)?;
            if current.audit_id != input.audit_id {
                return Err(ApiError::invalid(
                    "audit_id",
                    format!(
                        "the recommendation `{external_ref}` is audit {}'s; it does not move",
                        current.audit_id
                    ),
                ));
            }
            let same = current.text == input.text
                && current.priority == input.priority
                && current.department_id == input.department_id
                && current.due_on == input.due_on
                && current.action_ids == action_ids;
            if !same {
                let patch = RecommendationPatch {
                    text: Some(input.text),
                    priority: Some(input.priority),
                    department_id: Some(input.department_id),
                    due_on: Some(input.due_on),
                    action_ids: Some(action_ids),
                    ..RecommendationPatch::default()
                };
                update(conn, principal, id, patch, &Precondition::default())?;
            }
            (
                id,
                if same {
                    Upserted::Unchanged
                } else {
                    Upserted::Updated
                },
            )
        }
    };
    let statuses = find(conn, id)?.statuses;
    for wanted in input.statuses {
        let current = statuses.iter().find(|s| s.year == wanted.year);
        if current.is_some_and(|c| c.status == wanted.status && c.note == wanted.note) {
            continue;
        }
        let status = RecommendationStatusInput {
            status: wanted.status,
            note: wanted.note,
        };
        put_status(
            conn,
            principal,
            id,
            wanted.year,
            status,
            &Precondition::default(),
        )?;
        if outcome == Upserted::Unchanged {
            outcome = Upserted::Updated;
        }
    }
    Ok((find(conn, id)?, outcome))
}

crate::years::writes::yearly_writes! {
    table: recommendation_statuses,
    row: StatusRow => RecommendationStatus via RecommendationStatus::from,
    lock: lock, touch: touch,
    current: current_status, not_found: status_not_found,
    entity: EntityType::RecommendationStatus,
    what: "status of recommendation",
    delete: delete_status, review: review_status,
}
