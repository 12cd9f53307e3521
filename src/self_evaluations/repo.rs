//! Self-evaluation queries. One self-evaluation is two statements (its row, then its scores
//! with their actions); a page of them is two as well, whatever its size.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer};

use super::dto::{
    NewSelfEvaluation, Scope, ScoreInput, SelfEvaluation, SelfEvaluationPatch, ThemeScore,
};
use crate::api::listing::{Key, RowKey, Window};
use crate::api::Precondition;
use crate::audit::{self as trail, EntityType};
use crate::auth::Principal;
use crate::db::fixed::Fixed;
use crate::db::schema::{
    maturity_levels, self_evaluation_actions, self_evaluation_scores, self_evaluations, themes,
};
use crate::error::ApiError;
use crate::links;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = self_evaluations)]
struct Row {
    id: i32,
    external_ref: Option<String>,
    year: i32,
    title: String,
    scope: Scope,
    department_id: Option<String>,
    evaluated_on: Option<NaiveDate>,
    method: Option<String>,
    participants: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A score's row with its actions, and the evaluation it belongs to.
type ScoreRecord = (
    i32,
    String,
    i16,
    Option<i16>,
    Option<String>,
    Option<String>,
    Vec<Option<String>>,
    Vec<i32>,
);

fn evaluation_of(row: Row, scores: Vec<ThemeScore>) -> SelfEvaluation {
    SelfEvaluation {
        scores,
        id: row.id,
        external_ref: row.external_ref,
        year: row.year,
        title: row.title,
        scope: row.scope,
        department_id: row.department_id,
        evaluated_on: row.evaluated_on,
        method: row.method,
        participants: row.participants,
        created_at: row.created_at.into(),
        updated_at: row.updated_at.into(),
    }
}

/// The scores of the self-evaluations `ids`, by theme number: one statement.
fn scores_of(
    conn: &mut PgConnection,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<ThemeScore>>, ApiError> {
    let rows: Vec<ScoreRecord> = self_evaluation_scores::table
        .inner_join(themes::table.on(themes::code.eq(self_evaluation_scores::theme_code)))
        .filter(self_evaluation_scores::self_evaluation_id.eq_any(ids))
        .select((
            self_evaluation_scores::self_evaluation_id,
            self_evaluation_scores::theme_code,
            self_evaluation_scores::score,
            self_evaluation_scores::target,
            self_evaluation_scores::reasoning,
            self_evaluation_scores::evidence,
            self_evaluation_scores::evidence_urls,
            Fixed::<Array<Integer>>::new(
                "ARRAY(SELECT a.action_id FROM self_evaluation_actions a \
                 WHERE a.self_evaluation_id = self_evaluation_scores.self_evaluation_id \
                 AND a.theme_code = self_evaluation_scores.theme_code ORDER BY a.action_id)",
            ),
        ))
        .order((self_evaluation_scores::self_evaluation_id, themes::number))
        .load(conn)?;
    Ok(links::grouped(
        rows.into_iter()
            .map(
                |(
                    id,
                    theme_code,
                    score,
                    target,
                    reasoning,
                    evidence,
                    evidence_urls,
                    action_ids,
                )| {
                    let (score, target) = (i32::from(score), target.map(i32::from));
                    let score = ThemeScore {
                        gap: ThemeScore::gap(score, target),
                        theme_code,
                        score,
                        target,
                        reasoning,
                        evidence,
                        evidence_urls: evidence_urls.into_iter().flatten().collect(),
                        action_ids,
                    };
                    (id, score)
                },
            )
            .collect(),
    ))
}

crate::db::keyed_rows!(self_evaluations, "self-evaluation", external_ref);

/// What the self-evaluation list is asked for.
#[derive(Debug)]
pub struct Filter {
    pub year: Option<i32>,
    pub scope: Option<Scope>,
    pub department_id: Option<String>,
    pub theme: Option<String>,
    pub window: Window,
}

/// One page of self-evaluations, and the key to continue after when more follow: two
/// statements.
pub fn list(
    conn: &mut PgConnection,
    f: Filter,
) -> Result<(Vec<SelfEvaluation>, Option<Key>), ApiError> {
    let window = f.window;
    let mut query = self_evaluations::table
        .select((Row::as_select(), window.rank("self_evaluations")))
        .into_boxed();
    if let Some(year) = f.year {
        query = query.filter(self_evaluations::year.eq(year));
    }
    if let Some(scope) = f.scope {
        query = query.filter(self_evaluations::scope.eq(scope));
    }
    if let Some(department) = f.department_id {
        query = query.filter(self_evaluations::department_id.eq(department));
    }
    if let Some(theme) = f.theme {
        let scored = self_evaluation_scores::table
            .filter(self_evaluation_scores::theme_code.eq(theme.to_ascii_uppercase()))
            .select(self_evaluation_scores::self_evaluation_id);
        query = query.filter(self_evaluations::id.eq_any(scored));
    }
    for condition in window.conditions("self_evaluations") {
        query = query.filter(condition);
    }
    let rows: Vec<(Row, f32)> = query
        .order(window.order("self_evaluations"))
        .limit(window.rows())
        .load(conn)?;
    let (rows, next) = window.split(rows, |row: &Row, rank| RowKey {
        id: row.id,
        title: &row.title,
        created_at: row.created_at,
        updated_at: row.updated_at,
        rank,
    });
    let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
    let mut scores = if ids.is_empty() {
        HashMap::new()
    } else {
        scores_of(conn, &ids)?
    };
    let items = rows
        .into_iter()
        .map(|row| {
            let scores = scores.remove(&row.id).unwrap_or_default();
            evaluation_of(row, scores)
        })
        .collect();
    Ok((items, next))
}

pub fn find(conn: &mut PgConnection, id: i32) -> Result<SelfEvaluation, ApiError> {
    let row: Row = self_evaluations::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))?;
    let scores = scores_of(conn, &[id])?.remove(&id).unwrap_or_default();
    Ok(evaluation_of(row, scores))
}

/// The row of `id` locked for the rest of the transaction, as it is now.
fn locked(conn: &mut PgConnection, id: i32) -> Result<SelfEvaluation, ApiError> {
    self_evaluations::table
        .find(id)
        .select(self_evaluations::id)
        .for_update()
        .first::<i32>(conn)
        .optional()?
        .ok_or_else(|| not_found(id))?;
    find(conn, id)
}

/// The department a scope asks for: named for `department`, absent otherwise (422 naming
/// `department_id`), and existing.
fn checked_department(
    conn: &mut PgConnection,
    scope: Scope,
    department: Option<String>,
) -> Result<Option<String>, ApiError> {
    match (scope, &department) {
        (Scope::Department, None) => Err(ApiError::invalid(
            "department_id",
            "a department's self-evaluation names the department",
        )),
        (Scope::Organisation | Scope::Partial, Some(_)) => Err(ApiError::invalid(
            "department_id",
            "only a self-evaluation of scope `department` names a department",
        )),
        _ => {
            links::department(conn, department.as_deref(), "department_id")?;
            Ok(department)
        }
    }
}

/// Scores normalised (theme codes in capitals) and checked: each theme once and existing,
/// each level on the scale, each action existing and linkable by the principal. 422 naming
/// the field.
fn checked_scores(
    conn: &mut PgConnection,
    principal: &Principal,
    scores: Vec<ScoreInput>,
) -> Result<Vec<ScoreInput>, ApiError> {
    let scores: Vec<ScoreInput> = scores
        .into_iter()
        .map(|mut s| {
            s.theme_code = s.theme_code.to_ascii_uppercase();
            s.action_ids = links::normalised(s.action_ids);
            s.evidence_urls.dedup();
            s
        })
        .collect();
    let codes: Vec<String> = scores.iter().map(|s| s.theme_code.clone()).collect();
    let unique = links::normalised(codes.clone());
    if unique.len() != codes.len() {
        return Err(ApiError::invalid(
            "scores",
            "each theme is scored at most once",
        ));
    }
    let levels: Vec<i16> = maturity_levels::table
        .select(maturity_levels::level)
        .load(conn)?;
    let on_scale = |level: i32| levels.iter().any(|l| i32::from(*l) == level);
    for (i, s) in scores.iter().enumerate() {
        links::themes(
            conn,
            std::slice::from_ref(&s.theme_code),
            &format!("scores[{i}].theme_code"),
        )?;
        for (field, level) in [("score", Some(s.score)), ("target", s.target)] {
            if let Some(level) = level.filter(|l| !on_scale(*l)) {
                let known: Vec<String> = levels.iter().map(ToString::to_string).collect();
                return Err(ApiError::invalid(
                    format!("scores[{i}].{field}"),
                    format!(
                        "{level} is not a level of the maturity scale ({})",
                        known.join(", ")
                    ),
                ));
            }
        }
        links::actions_to_link(
            conn,
            principal,
            &s.action_ids,
            &format!("scores[{i}].action_ids"),
        )?;
    }
    Ok(scores)
}

/// Writes the scores of `id` in `year` anew, replacing what was there.
fn replace_scores(
    conn: &mut PgConnection,
    id: i32,
    year: i32,
    scores: &[ScoreInput],
) -> QueryResult<()> {
    diesel::delete(
        self_evaluation_scores::table.filter(self_evaluation_scores::self_evaluation_id.eq(id)),
    )
    .execute(conn)?;
    let rows: Vec<_> = scores
        .iter()
        .map(|s| {
            (
                self_evaluation_scores::self_evaluation_id.eq(id),
                self_evaluation_scores::year.eq(year),
                self_evaluation_scores::theme_code.eq(&s.theme_code),
                self_evaluation_scores::score.eq(s.score as i16),
                self_evaluation_scores::target.eq(s.target.map(|t| t as i16)),
                self_evaluation_scores::reasoning.eq(&s.reasoning),
                self_evaluation_scores::evidence.eq(&s.evidence),
                self_evaluation_scores::evidence_urls.eq(&s.evidence_urls),
            )
        })
        .collect();
    diesel::insert_into(self_evaluation_scores::table)
        .values(rows)
        .execute(conn)?;
    let actions: Vec<_> = scores
        .iter()
        .flat_map(|s| {
            s.action_ids.iter().map(move |a| {
                (
                    self_evaluation_actions::self_evaluation_id.eq(id),
                    self_evaluation_actions::theme_code.eq(&s.theme_code),
                    self_evaluation_actions::action_id.eq(*a),
                )
            })
        })
        .collect();
    diesel::insert_into(self_evaluation_actions::table)
        .values(actions)
        .execute(conn)?;
    Ok(())
}

/// The scores as they were given back, for comparing a patch with what is stored.
fn inputs_of(scores: &[ThemeScore]) -> Vec<ScoreInput> {
    scores
        .iter()
        .map(|s| ScoreInput {
            theme_code: s.theme_code.clone(),
            score: s.score,
            target: s.target,
            reasoning: s.reasoning.clone(),
            evidence: s.evidence.clone(),
            evidence_urls: s.evidence_urls.clone(),
            action_ids: s.action_ids.clone(),
        })
        .collect()
}

pub fn create(
    conn: &mut PgConnection,
    principal: &Principal,
    new: NewSelfEvaluation,
) -> Result<SelfEvaluation, ApiError> {
    ensure_external_ref_free(conn, new.external_ref.as_deref(), None)?;
    let department = checked_department(conn, new.scope, new.department_id)?;
    let scores = checked_scores(conn, principal, new.scores)?;
    let id: i32 = diesel::insert_into(self_evaluations::table)
        .values((
            self_evaluations::external_ref.eq(&new.external_ref),
            self_evaluations::year.eq(new.year),
            self_evaluations::title.eq(&new.title),
            self_evaluations::scope.eq(new.scope),
            self_evaluations::department_id.eq(&department),
            self_evaluations::evaluated_on.eq(new.evaluated_on),
            self_evaluations::method.eq(&new.method),
            self_evaluations::participants.eq(&new.participants),
        ))
        .returning(self_evaluations::id)
        .get_result(conn)?;
    replace_scores(conn, id, new.year, &scores)?;
    let created = find(conn, id)?;
    trail::created(conn, principal, EntityType::SelfEvaluation, id, &created)?;
    Ok(created)
}

pub fn update(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
    patch: SelfEvaluationPatch,
    precondition: &Precondition,
) -> Result<SelfEvaluation, ApiError> {
    let current = locked(conn, id)?;
    let external_ref = patch
        .external_ref
        .unwrap_or_else(|| current.external_ref.clone());
    if external_ref != current.external_ref {
        ensure_external_ref_free(conn, external_ref.as_deref(), Some(id))?;
    }
    let scope = patch.scope.unwrap_or(current.scope);
    let department = checked_department(
        conn,
        scope,
        patch
            .department_id
            .unwrap_or_else(|| current.department_id.clone()),
    )?;
    let scores = match patch.scores {
        Some(scores) => Some(checked_scores(conn, principal, scores)?),
        None => None,
    };
    // a stale If-Match is answered only for a write that is valid otherwise (RFC 9110 13.2.1)
    precondition.check(&current)?;
    let year = patch.year.unwrap_or(current.year);
    diesel::update(self_evaluations::table.find(id))
        .set((
            self_evaluations::external_ref.eq(external_ref),
            self_evaluations::year.eq(year),
            self_evaluations::title.eq(patch.title.unwrap_or_else(|| current.title.clone())),
            self_evaluations::scope.eq(scope),
            self_evaluations::department_id.eq(department),
            self_evaluations::evaluated_on.eq(patch.evaluated_on.unwrap_or(current.evaluated_on)),
            self_evaluations::method.eq(patch.method.unwrap_or_else(|| current.method.clone())),
            self_evaluations::participants.eq(patch
                .participants
                .unwrap_or_else(|| current.participants.clone())),
            self_evaluations::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    // the scores follow a changed year by their foreign key; they are rewritten only when given
    if let Some(scores) = scores.filter(|s| *s != inputs_of(&current.scores)) {
        replace_scores(conn, id, year, &scores)?;
    }
    let changed = find(conn, id)?;
    trail::changed(
        conn,
        principal,
        EntityType::SelfEvaluation,
        id,
        &current,
        &changed,
    )?;
    Ok(changed)
}

/// Deletes a self-evaluation with its scores (the improvement actions stay).
pub fn delete(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    let current = locked(conn, id)?;
    precondition.check(&current)?;
    diesel::delete(self_evaluations::table.find(id)).execute(conn)?;
    trail::deleted(conn, principal, EntityType::SelfEvaluation, id, &current)?;
    Ok(())
}
