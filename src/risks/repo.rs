//! Risk queries. One risk is one statement, its themes and assessments aggregated beside its
//! row (`record`); a page, whatever its length, is two: the page with each risk's themes
//! beside its row, then the assessments of all its risks at once.

use chrono::{DateTime, Utc};
use diesel::dsl::AsSelect;
use diesel::pg::Pg;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Json, Text};

use super::dto::{NewRisk, Risk, RiskPatch};
use crate::api::listing::{Key, RowKey, Window};
use crate::api::Precondition;
use crate::audit;
use crate::audit::EntityType;
use crate::auth::{self, Principal};
use crate::db::fixed::Fixed;
use crate::db::schema::{action_risks, actions, risk_assessments, risk_themes, risks};
use crate::error::ApiError;
use crate::links;
use crate::risks::assessments;
use crate::risks::assessments::dto::{Assessment, RiskStatus};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = risks)]
struct RiskRow {
    id: i32,
    domain_id: String,
    title: String,
    description: Option<String>,
    department_id: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A risk's row with its themes and assessments (JSON) beside it.
type Record = (RiskRow, Vec<String>, serde_json::Value);

/// A risk's themes, aggregated beside its row (after a page's LIMIT: PostgreSQL evaluates
/// such a subquery only for the rows it returns).
fn themes() -> Fixed<Array<Text>> {
    Fixed::new("ARRAY(SELECT t.theme_code FROM risk_themes t WHERE t.risk_id = risks.id ORDER BY t.theme_code)")
}

/// The select of a [`Record`]: one prepared statement for a risk.
fn record() -> (AsSelect<RiskRow, Pg>, Fixed<Array<Text>>, Fixed<Json>) {
    (
        RiskRow::as_select(),
        themes(),
        Fixed::new(assessments::repo::OF_RISK_JSON),
    )
}

fn risk_of(record: Record) -> Result<Risk, ApiError> {
    let (row, theme_codes, assessments) = record;
    let assessments = assessments::repo::from_json(assessments)?;
    Ok(row.into_risk(theme_codes, assessments))
}

impl RiskRow {
    fn into_risk(self, theme_codes: Vec<String>, assessments: Vec<Assessment>) -> Risk {
        Risk {
            theme_codes,
            assessments,
            id: self.id,
            domain_id: self.domain_id,
            title: self.title,
            description: self.description,
            department_id: self.department_id,
            created_at: self.created_at.into(),
            updated_at: self.updated_at.into(),
        }
    }
}

/// What the risk list is asked for.
#[derive(Debug)]
pub struct RiskFilter {
    pub domain_id: Option<String>,
    pub year: Option<i32>,
    pub status: Option<RiskStatus>,
    pub department_id: Option<String>,
    pub theme: Option<String>,
    pub window: Window,
}

/// One page of risks, and the key to continue after when more follow.
pub fn list(conn: &mut PgConnection, f: RiskFilter) -> Result<(Vec<Risk>, Option<Key>), ApiError> {
    let window = f.window;
    let mut query = risks::table
        .select((RiskRow::as_select(), themes(), window.rank("risks")))
        .into_boxed();
    if let Some(domain) = f.domain_id {
        query = query.filter(risks::domain_id.eq(domain));
    }
    if let Some(department) = f.department_id {
        query = query.filter(risks::department_id.eq(department));
    }
    if let Some(year) = f.year {
        let mut assessed = risk_assessments::table
            .filter(risk_assessments::year.eq(year))
            .select(risk_assessments::risk_id)
            .into_boxed();
        if let Some(status) = f.status {
            assessed = assessed.filter(risk_assessments::status.eq(status));
        }
        query = query.filter(risks::id.eq_any(assessed));
    }
    if let Some(theme) = f.theme {
        let tagged = risk_themes::table
            .filter(risk_themes::theme_code.eq(theme.to_ascii_uppercase()))
            .select(risk_themes::risk_id);
        query = query.filter(risks::id.eq_any(tagged));
    }
    for condition in window.conditions("risks") {
        query = query.filter(condition);
    }
    let rows: Vec<(RiskRow, Vec<String>, f32)> = query
        .order(window.order("risks"))
        .limit(window.rows())
        .load(conn)?;
    let rows: Vec<((RiskRow, Vec<String>), f32)> = rows
        .into_iter()
        .map(|(row, themes, rank)| ((row, themes), rank))
        .collect();
    let (rows, next) = window.split(rows, |(row, _), rank| RowKey {
        id: row.id,
        title: &row.title,
        created_at: row.created_at,
        updated_at: row.updated_at,
        rank,
    });
    let ids: Vec<i32> = rows.iter().map(|(row, _)| row.id).collect();
    let mut assessments = assessments::repo::of_risks(conn, &ids)?;
    let risks = rows
        .into_iter()
        .map(|(row, theme_codes)| {
            let assessments = assessments.remove(&row.id).unwrap_or_default();
            row.into_risk(theme_codes, assessments)
        })
        .collect();
    Ok((risks, next))
}

crate::db::owned_rows!(risks, "risk");

pub fn find(conn: &mut PgConnection, id: i32) -> Result<Risk, ApiError> {
    let record: Record = risks::table
        .find(id)
        .select(record())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))?;
    risk_of(record)
}

fn replace_themes(conn: &mut PgConnection, id: i32, codes: &[String]) -> Result<(), ApiError> {
    let codes = links::normalised(codes.to_vec());
    links::themes(conn, &codes, "theme_codes")?;
    diesel::delete(risk_themes::table.filter(risk_themes::risk_id.eq(id))).execute(conn)?;
    let rows: Vec<_> = codes
        .iter()
        .map(|code| {
            (
                risk_themes::risk_id.eq(id),
                risk_themes::theme_code.eq(code),
            )
        })
        .collect();
    diesel::insert_into(risk_themes::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
}

pub fn create(
    conn: &mut PgConnection,
    principal: &Principal,
    new: NewRisk,
) -> Result<Risk, ApiError> {
    auth::ensure_may_change(principal, new.department_id.as_deref())?;
    links::domains(conn, std::slice::from_ref(&new.domain_id), "domain_id")?;
    links::department(conn, new.department_id.as_deref(), "department_id")?;
    let id: i32 = diesel::insert_into(risks::table)
        .values((
            risks::domain_id.eq(&new.domain_id),
            risks::title.eq(&new.title),
            risks::description.eq(&new.description),
            risks::department_id.eq(&new.department_id),
        ))
        .returning(risks::id)
        .get_result(conn)?;
    replace_themes(conn, id, &new.theme_codes)?;
    let created = find(conn, id)?;
    audit::created(conn, principal, EntityType::Risk, id, &created)?;
    Ok(created)
}

pub fn update(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
    patch: RiskPatch,
    precondition: &Precondition,
) -> Result<Risk, ApiError> {
    lock(conn, principal, id)?;
    let current = find(conn, id)?;
    let domain_id = patch.domain_id.unwrap_or_else(|| current.domain_id.clone());
    links::domains(conn, std::slice::from_ref(&domain_id), "domain_id")?;
    let department_id = patch
        .department_id
        .unwrap_or_else(|| current.department_id.clone());
    auth::ensure_may_change(principal, department_id.as_deref())?;
    links::department(conn, department_id.as_deref(), "department_id")?;
    if let Some(codes) = &patch.theme_codes {
        links::themes(conn, &links::normalised(codes.clone()), "theme_codes")?;
    }
    // a stale If-Match is answered only for a write that is valid otherwise (RFC 9110 13.2.1)
    precondition.check(&current)?;
    diesel::update(risks::table.find(id))
        .set((
            risks::domain_id.eq(domain_id),
            risks::title.eq(patch.title.unwrap_or_else(|| current.title.clone())),
            risks::description.eq(patch
                .description
                .unwrap_or_else(|| current.description.clone())),
            risks::department_id.eq(department_id),
            risks::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    if let Some(codes) = patch.theme_codes {
        replace_themes(conn, id, &codes)?;
    }
    let changed = find(conn, id)?;
    audit::changed(conn, principal, EntityType::Risk, id, &current, &changed)?;
    Ok(changed)
}

/// Deletes a risk with its assessments. While actions address it, only with `cascade`, which
/// also removes those links (the actions stay).
pub fn delete(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
    cascade: bool,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    lock(conn, principal, id)?;
    let current = find(conn, id)?;
    precondition.check(&current)?;
    let addressed_by: i64 = action_risks::table
        .filter(action_risks::risk_id.eq(id))
        .count()
        .get_result(conn)?;
    if addressed_by > 0 && !cascade {
        return Err(ApiError::Conflict(format!(
            "Risk {id} is addressed by {addressed_by} action(s); unlink them first, or delete with ?cascade=true to remove the links."
        )));
    }
    // the unlinked actions change too: incremental readers and the trail must see it
    let linked: Vec<i32> = action_risks::table
        .filter(action_risks::risk_id.eq(id))
        .select(action_risks::action_id)
        .load(conn)?;
    let before = crate::actions::repo::find_many(conn, &linked)?;
    for action in &before {
        // the cascade rewrites these actions: only what the caller may change
        auth::ensure_may_change(principal, action.department_id.as_deref())?;
    }
    diesel::update(actions::table.filter(actions::id.eq_any(&linked)))
        .set(actions::updated_at.eq(diesel::dsl::now))
        .execute(conn)?;
    diesel::delete(action_risks::table.filter(action_risks::risk_id.eq(id))).execute(conn)?;
    let after = crate::actions::repo::find_many(conn, &linked)?;
    for (was, is) in before.iter().zip(&after) {
        audit::changed(conn, principal, EntityType::Action, was.id, was, is)?;
    }
    diesel::delete(risks::table.find(id)).execute(conn)?;
    for assessment in &current.assessments {
        let entity = format!("{id}/{}", assessment.year);
        audit::deleted(
            conn,
            principal,
            EntityType::RiskAssessment,
            entity,
            assessment,
        )?;
    }
    audit::deleted(conn, principal, EntityType::Risk, id, &current)?;
    Ok(())
}
