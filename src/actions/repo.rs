//! Action queries. One action is one statement, its links and statuses aggregated beside its
//! row (`record`); a page, whatever its length, is two: the page with each action's links
//! beside its row, then the statuses of all its actions at once. (The statuses aggregated
//! beside each row as JSON made a page of 100 slower: PostgreSQL, the busier side of an
//! uncached page, builds JSON more slowly than it sends rows.)

use chrono::{DateTime, Utc};
use diesel::dsl::AsSelect;
use diesel::pg::Pg;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Json, Text};

use super::dto::{Action, ActionPatch, NewAction};
use crate::actions::statuses;
use crate::actions::statuses::dto::{ActionStatus, Progress};
use crate::api::listing::{Key, RowKey, Window};
use crate::api::Precondition;
use crate::audit;
use crate::audit::EntityType;
use crate::auth::{self, Principal};
use crate::db::fixed::Fixed;
use crate::db::schema::{action_domains, action_risks, action_statuses, action_themes, actions};
use crate::error::ApiError;
use crate::links;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = actions)]
struct ActionRow {
    id: i32,
    external_ref: Option<String>,
    title: String,
    description: Option<String>,
    parent_id: Option<i32>,
    department_id: Option<String>,
    plan_ref: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// An action's row with its domains, risks, themes and statuses (JSON) beside it.
type Record = (
    ActionRow,
    Vec<String>,
    Vec<i32>,
    Vec<String>,
    serde_json::Value,
);

/// The columns of a [`Record`], as diesel selects them.
type RecordColumns = (
    AsSelect<ActionRow, Pg>,
    Fixed<Array<Text>>,
    Fixed<Array<Integer>>,
    Fixed<Array<Text>>,
    Fixed<Json>,
);

/// An action's row with its domains, risks and themes beside it: a page's row.
type Linked = (ActionRow, Vec<String>, Vec<i32>, Vec<String>);

/// A [`Linked`] with its relevance, as a page's statement returns it.
type RankedLinked = (ActionRow, Vec<String>, Vec<i32>, Vec<String>, f32);

/// The columns of a [`Linked`], as diesel selects them.
type LinkedColumns = (
    AsSelect<ActionRow, Pg>,
    Fixed<Array<Text>>,
    Fixed<Array<Integer>>,
    Fixed<Array<Text>>,
);

/// The select of a [`Linked`]: the links are aggregated beside each row, after the page's
/// LIMIT (PostgreSQL evaluates such subqueries only for the rows it returns).
fn linked() -> LinkedColumns {
    (
        ActionRow::as_select(),
        Fixed::new("ARRAY(SELECT d.domain_id FROM action_domains d WHERE d.action_id = actions.id ORDER BY d.domain_id)"),
        Fixed::new("ARRAY(SELECT r.risk_id FROM action_risks r WHERE r.action_id = actions.id ORDER BY r.risk_id)"),
        Fixed::new("ARRAY(SELECT t.theme_code FROM action_themes t WHERE t.action_id = actions.id ORDER BY t.theme_code)"),
    )
}

/// The select of a [`Record`]: one prepared statement for an action.
fn record() -> RecordColumns {
    let (row, domains, risks, themes) = linked();
    (
        row,
        domains,
        risks,
        themes,
        Fixed::new(statuses::repo::OF_ACTION_JSON),
    )
}

fn action_of(record: Record) -> Result<Action, ApiError> {
    let (row, domain_ids, risk_ids, theme_codes, statuses) = record;
    let statuses = statuses::repo::from_json(statuses)?;
    Ok(row.into_action(domain_ids, risk_ids, theme_codes, statuses))
}

impl ActionRow {
    fn into_action(
        self,
        domain_ids: Vec<String>,
        risk_ids: Vec<i32>,
        theme_codes: Vec<String>,
        statuses: Vec<ActionStatus>,
    ) -> Action {
        Action {
            domain_ids,
            risk_ids,
            theme_codes,
            statuses,
            id: self.id,
            external_ref: self.external_ref,
            title: self.title,
            description: self.description,
            parent_id: self.parent_id,
            department_id: self.department_id,
            plan_ref: self.plan_ref,
            created_at: self.created_at.into(),
            updated_at: self.updated_at.into(),
        }
    }
}

/// What the action list is asked for.
#[derive(Debug)]
pub struct ActionFilter {
    pub domain_id: Option<String>,
    pub year: Option<i32>,
    pub status: Option<Progress>,
    pub department_id: Option<String>,
    pub risk_id: Option<i32>,
    pub theme: Option<String>,
    pub parent_id: Option<i32>,
    pub top_level: bool,
    pub window: Window,
}

/// One page of actions, and the key to continue after when more follow.
pub fn list(
    conn: &mut PgConnection,
    f: ActionFilter,
) -> Result<(Vec<Action>, Option<Key>), ApiError> {
    let window = f.window;
    let (row, domains, risks, themes) = linked();
    let mut query = actions::table
        .select((row, domains, risks, themes, window.rank("actions")))
        .into_boxed();
    if let Some(domain) = f.domain_id {
        let serving = action_domains::table
            .filter(action_domains::domain_id.eq(domain))
            .select(action_domains::action_id);
        query = query.filter(actions::id.eq_any(serving));
    }
    if let Some(year) = f.year {
        let mut with_status = action_statuses::table
            .filter(action_statuses::year.eq(year))
            .select(action_statuses::action_id)
            .into_boxed();
        if let Some(status) = f.status {
            with_status = with_status.filter(action_statuses::status.eq(status));
        }
        query = query.filter(actions::id.eq_any(with_status));
    }
    if let Some(department) = f.department_id {
        query = query.filter(actions::department_id.eq(department));
    }
    if let Some(risk) = f.risk_id {
        let addressing = action_risks::table
            .filter(action_risks::risk_id.eq(risk))
            .select(action_risks::action_id);
        query = query.filter(actions::id.eq_any(addressing));
    }
    if let Some(theme) = f.theme {
        let tagged = action_themes::table
            .filter(action_themes::theme_code.eq(theme.to_ascii_uppercase()))
            .select(action_themes::action_id);
        query = query.filter(actions::id.eq_any(tagged));
    }
    if let Some(parent) = f.parent_id {
        query = query.filter(actions::parent_id.eq(parent));
    }
    if f.top_level {
        query = query.filter(actions::parent_id.is_null());
    }
    for condition in window.conditions("actions") {
        query = query.filter(condition);
    }
    let rows: Vec<RankedLinked> = query
        .order(window.order("actions"))
        .limit(window.rows())
        .load(conn)?;
    let rows: Vec<(Linked, f32)> = rows
        .into_iter()
        .map(|(row, domains, risks, themes, rank)| ((row, domains, risks, themes), rank))
        .collect();
    let (rows, next) = window.split(rows, |(row, ..), rank| RowKey {
        id: row.id,
        title: &row.title,
        created_at: row.created_at,
        updated_at: row.updated_at,
        rank,
    });
    Ok((with_statuses(conn, rows)?, next))
}

/// Adds their statuses to rows: one statement, whatever their number.
fn with_statuses(conn: &mut PgConnection, rows: Vec<Linked>) -> QueryResult<Vec<Action>> {
    let ids: Vec<i32> = rows.iter().map(|(row, ..)| row.id).collect();
    let mut statuses = statuses::repo::of_actions(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(row, domain_ids, risk_ids, theme_codes)| {
            let statuses = statuses.remove(&row.id).unwrap_or_default();
            row.into_action(domain_ids, risk_ids, theme_codes, statuses)
        })
        .collect())
}

crate::db::owned_rows!(actions, "action", external_ref);

/// Several actions by id (missing ones left out), by id: like a page, the rows with their
/// links and then their statuses, whatever their number.
pub fn find_many(conn: &mut PgConnection, ids: &[i32]) -> Result<Vec<Action>, ApiError> {
    let rows = actions::table
        .filter(actions::id.eq_any(ids))
        .select(linked())
        .order(actions::id)
        .load(conn)?;
    Ok(with_statuses(conn, rows)?)
}

pub fn find(conn: &mut PgConnection, id: i32) -> Result<Action, ApiError> {
    let record: Record = actions::table
        .find(id)
        .select(record())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))?;
    action_of(record)
}

/// The action holding `external_ref`, if any.
pub fn find_by_external_ref(
    conn: &mut PgConnection,
    external_ref: &str,
) -> QueryResult<Option<i32>> {
    actions::table
        .filter(actions::external_ref.eq(external_ref))
        .select(actions::id)
        .first(conn)
        .optional()
}

/// The links of an action, as a write sets them.
struct Links {
    domain_ids: Vec<String>,
    risk_ids: Vec<i32>,
    theme_codes: Vec<String>,
}

impl Links {
    /// Normalises and checks the links a write sets; of the risks, those the action did not
    /// have before (`kept`) must be the principal's to link.
    fn checked(
        conn: &mut PgConnection,
        principal: &Principal,
        links: Links,
        kept: &[i32],
    ) -> Result<Links, ApiError> {
        let checked = Links {
            domain_ids: links::normalised(links.domain_ids),
            risk_ids: links::normalised(links.risk_ids),
            theme_codes: links::normalised(links.theme_codes),
        };
        links::domains(conn, &checked.domain_ids, "domain_ids")?;
        let added: Vec<i32> = checked
            .risk_ids
            .iter()
            .filter(|r| !kept.contains(r))
            .copied()
            .collect();
        links::risks_to_link(conn, principal, &added, "risk_ids")?;
        links::themes(conn, &checked.theme_codes, "theme_codes")?;
        Ok(checked)
    }

    fn store(&self, conn: &mut PgConnection, id: i32) -> QueryResult<()> {
        // kept links keep their place in their domain; new ones go to its end
        diesel::delete(
            action_domains::table
                .filter(action_domains::action_id.eq(id))
                .filter(action_domains::domain_id.ne_all(&self.domain_ids)),
        )
        .execute(conn)?;
        diesel::delete(action_risks::table.filter(action_risks::action_id.eq(id))).execute(conn)?;
        diesel::delete(action_themes::table.filter(action_themes::action_id.eq(id)))
            .execute(conn)?;
        let domains: Vec<_> = self
            .domain_ids
            .iter()
            .map(|d| {
                (
                    action_domains::action_id.eq(id),
                    action_domains::domain_id.eq(d),
                )
            })
            .collect();
        diesel::insert_into(action_domains::table)
            .values(domains)
            .on_conflict_do_nothing()
            .execute(conn)?;
        let risks: Vec<_> = self
            .risk_ids
            .iter()
            .map(|r| (action_risks::action_id.eq(id), action_risks::risk_id.eq(r)))
            .collect();
        diesel::insert_into(action_risks::table)
            .values(risks)
            .execute(conn)?;
        let themes: Vec<_> = self
            .theme_codes
            .iter()
            .map(|t| {
                (
                    action_themes::action_id.eq(id),
                    action_themes::theme_code.eq(t),
                )
            })
            .collect();
        diesel::insert_into(action_themes::table)
            .values(themes)
            .execute(conn)?;
        Ok(())
    }
}

pub fn create(
    conn: &mut PgConnection,
    principal: &Principal,
    new: NewAction,
) -> Result<Action, ApiError> {
    auth::ensure_may_change(principal, new.department_id.as_deref())?;
    ensure_external_ref_free(conn, new.external_ref.as_deref(), None)?;
    let links = Links::checked(
        conn,
        principal,
        Links {
            domain_ids: new.domain_ids,
            risk_ids: new.risk_ids,
            theme_codes: new.theme_codes,
        },
        &[],
    )?;
    links::department(conn, new.department_id.as_deref(), "department_id")?;
    links::actions_to_link(conn, principal, new.parent_id.as_slice(), "parent_id")?;
    let id: i32 = diesel::insert_into(actions::table)
        .values((
            actions::external_ref.eq(&new.external_ref),
            actions::title.eq(&new.title),
            actions::description.eq(&new.description),
            actions::parent_id.eq(new.parent_id),
            actions::department_id.eq(&new.department_id),
            actions::plan_ref.eq(&new.plan_ref),
        ))
        .returning(actions::id)
        .get_result(conn)?;
    links.store(conn, id)?;
    let created = find(conn, id)?;
    audit::created(conn, principal, EntityType::Action, id, &created)?;
    Ok(created)
}

pub fn update(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
    patch: ActionPatch,
    precondition: &Precondition,
) -> Result<Action, ApiError> {
    lock(conn, principal, id)?;
    let current = find(conn, id)?;
    let external_ref = patch
        .external_ref
        .unwrap_or_else(|| current.external_ref.clone());
    ensure_external_ref_free(conn, external_ref.as_deref(), Some(id))?;
    let department_id = patch
        .department_id
        .unwrap_or_else(|| current.department_id.clone());
    auth::ensure_may_change(principal, department_id.as_deref())?;
    links::department(conn, department_id.as_deref(), "department_id")?;
    let parent_id = patch.parent_id.unwrap_or(current.parent_id);
    if parent_id != current.parent_id {
        links::actions_to_link(conn, principal, parent_id.as_slice(), "parent_id")?;
    }
    let links = Links::checked(
        conn,
        principal,
        Links {
            domain_ids: patch
                .domain_ids
                .unwrap_or_else(|| current.domain_ids.clone()),
            risk_ids: patch.risk_ids.unwrap_or_else(|| current.risk_ids.clone()),
            theme_codes: patch
                .theme_codes
                .unwrap_or_else(|| current.theme_codes.clone()),
        },
        &current.risk_ids,
    )?;
    // a stale If-Match is answered only for a write that is valid otherwise (RFC 9110 13.2.1)
    precondition.check(&current)?;
    diesel::update(actions::table.find(id))
        .set((
            actions::external_ref.eq(external_ref),
            actions::title.eq(patch.title.unwrap_or_else(|| current.title.clone())),
            actions::description.eq(patch
                .description
                .unwrap_or_else(|| current.description.clone())),
            actions::parent_id.eq(parent_id),
            actions::department_id.eq(department_id),
            actions::plan_ref.eq(patch.plan_ref.unwrap_or_else(|| current.plan_ref.clone())),
            actions::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    links.store(conn, id)?;
    let changed = find(conn, id)?;
    audit::changed(conn, principal, EntityType::Action, id, &current, &changed)?;
    Ok(changed)
}

/// The ids of the action's sub-actions at any depth.
fn descendants(conn: &mut PgConnection, id: i32) -> QueryResult<Vec<i32>> {
    #[derive(QueryableByName)]
    struct Descendant {
        #[diesel(sql_type = Integer)]
        id: i32,
    }
    let rows: Vec<Descendant> = diesel::sql_query(
        "WITH RECURSIVE tree (id) AS ( \
             SELECT id FROM actions WHERE parent_id = $1 \
             UNION SELECT a.id FROM actions a JOIN tree ON a.parent_id = tree.id) \
         SELECT id FROM tree",
    )
    .bind::<Integer, _>(id)
    .load(conn)?;
    Ok(rows.into_iter().map(|d| d.id).collect())
}

/// Deletes an action with its statuses and links. While it has sub-actions, only with
/// `cascade`, which deletes them too. Returns the ids of every deleted action.
pub fn delete(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
    cascade: bool,
    precondition: &Precondition,
) -> Result<Vec<i32>, ApiError> {
    lock(conn, principal, id)?;
    precondition.check(&find(conn, id)?)?;
    let mut deleted = descendants(conn, id)?;
    if !deleted.is_empty() && !cascade {
        return Err(ApiError::Conflict(format!(
            "Action {id} has {} sub-action(s); delete them first, or delete with ?cascade=true to delete them too.",
            deleted.len()
        )));
    }
    deleted.push(id);
    let gone = find_many(conn, &deleted)?;
    for action in &gone {
        // a cascade deletes only what the caller may change
        auth::ensure_may_change(principal, action.department_id.as_deref())?;
    }
    diesel::delete(actions::table.filter(actions::id.eq_any(&deleted))).execute(conn)?;
    for action in &gone {
        for status in &action.statuses {
            let entity = format!("{}/{}", action.id, status.year);
            audit::deleted(conn, principal, EntityType::ActionStatus, entity, status)?;
        }
        audit::deleted(conn, principal, EntityType::Action, action.id, action)?;
    }
    Ok(deleted)
}
