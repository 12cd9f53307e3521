//! Audit queries. One audit is one statement, its themes, domains and actions aggregated
//! beside its row (`record`); a page is one statement too (an audit has a handful of links,
//! not a year's worth of rows).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::AsSelect;
use diesel::pg::Pg;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Text};

use super::dto::{Audit, AuditPatch, Auditor, NewAudit};
use crate::api::listing::{Key, RowKey, Window};
use crate::api::Precondition;
use crate::audit::{self as trail, EntityType};
use crate::auth::Principal;
use crate::db::fixed::Fixed;
use crate::db::schema::{audit_actions, audit_domains, audit_themes, audits, recommendations};
use crate::error::ApiError;
use crate::links;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audits)]
struct AuditRow {
    id: i32,
    external_ref: Option<String>,
    auditor: Auditor,
    auditor_name: Option<String>,
    title: String,
    description: Option<String>,
    audited_on: Option<NaiveDate>,
    reference: Option<String>,
    report_url: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// An audit's row with its themes, domains and actions beside it.
type Record = (AuditRow, Vec<String>, Vec<String>, Vec<i32>);

/// The columns of a [`Record`], as diesel selects them.
type RecordColumns = (
    AsSelect<AuditRow, Pg>,
    Fixed<Array<Text>>,
    Fixed<Array<Text>>,
    Fixed<Array<Integer>>,
);

/// A [`Record`] with its relevance to the search, flat as a page query selects it.
type Ranked = (AuditRow, Vec<String>, Vec<String>, Vec<i32>, f32);

/// The select of a [`Record`]: one prepared statement.
fn record() -> RecordColumns {
    (
        AuditRow::as_select(),
        Fixed::new("ARRAY(SELECT t.theme_code FROM audit_themes t WHERE t.audit_id = audits.id ORDER BY t.theme_code)"),
        Fixed::new("ARRAY(SELECT d.domain_id FROM audit_domains d WHERE d.audit_id = audits.id ORDER BY d.domain_id)"),
        Fixed::new("ARRAY(SELECT a.action_id FROM audit_actions a WHERE a.audit_id = audits.id ORDER BY a.action_id)"),
    )
}

fn audit_of((row, theme_codes, domain_ids, action_ids): Record) -> Audit {
    Audit {
        theme_codes,
        domain_ids,
        action_ids,
        id: row.id,
        external_ref: row.external_ref,
        auditor: row.auditor,
        auditor_name: row.auditor_name,
        title: row.title,
        description: row.description,
        audited_on: row.audited_on,
        reference: row.reference,
        report_url: row.report_url,
        created_at: row.created_at.into(),
        updated_at: row.updated_at.into(),
    }
}

crate::db::keyed_rows!(audits, "audit", external_ref);

/// What the audit list is asked for.
#[derive(Debug)]
pub struct AuditFilter {
    pub auditor: Option<Auditor>,
    pub domain_id: Option<String>,
    pub theme: Option<String>,
    pub action_id: Option<i32>,
    pub window: Window,
}

/// One page of audits, and the key to continue after when more follow: one statement.
pub fn list(
    conn: &mut PgConnection,
    f: AuditFilter,
) -> Result<(Vec<Audit>, Option<Key>), ApiError> {
    let window = f.window;
    let (row, themes, domains, actions) = record();
    let mut query = audits::table
        .select((row, themes, domains, actions, window.rank("audits")))
        .into_boxed();
    if let Some(auditor) = f.auditor {
        query = query.filter(audits::auditor.eq(auditor));
    }
    if let Some(domain) = f.domain_id {
        let concerned = audit_domains::table
            .filter(audit_domains::domain_id.eq(domain))
            .select(audit_domains::audit_id);
        query = query.filter(audits::id.eq_any(concerned));
    }
    if let Some(theme) = f.theme {
        let tagged = audit_themes::table
            .filter(audit_themes::theme_code.eq(theme.to_ascii_uppercase()))
            .select(audit_themes::audit_id);
        query = query.filter(audits::id.eq_any(tagged));
    }
    if let Some(action) = f.action_id {
        let following = audit_actions::table
            .filter(audit_actions::action_id.eq(action))
            .select(audit_actions::audit_id);
        query = query.filter(audits::id.eq_any(following));
    }
    for condition in window.conditions("audits") {
        query = query.filter(condition);
    }
    let rows: Vec<Ranked> = query
        .order(window.order("audits"))
        .limit(window.rows())
        .load(conn)?;
    let rows = rows
        .into_iter()
        .map(|(row, themes, domains, actions, rank)| ((row, themes, domains, actions), rank))
        .collect();
    let (rows, next) = window.split(rows, |(row, ..): &Record, rank| RowKey {
        id: row.id,
        title: &row.title,
        created_at: row.created_at,
        updated_at: row.updated_at,
        rank,
    });
    Ok((rows.into_iter().map(audit_of).collect(), next))
}

pub fn find(conn: &mut PgConnection, id: i32) -> Result<Audit, ApiError> {
    let record: Record = audits::table
        .find(id)
        .select(record())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))?;
    Ok(audit_of(record))
}

/// The row of `id` locked for the rest of the transaction, as it is now.
fn locked(conn: &mut PgConnection, id: i32) -> Result<Audit, ApiError> {
    audits::table
        .find(id)
        .select(audits::id)
        .for_update()
        .first::<i32>(conn)
        .optional()?
        .ok_or_else(|| not_found(id))?;
    find(conn, id)
}

/// The links of an audit, normalised and checked to exist (422 naming the field).
struct Links {
    theme_codes: Vec<String>,
    domain_ids: Vec<String>,
    action_ids: Vec<i32>,
}

impl Links {
    fn checked(
        conn: &mut PgConnection,
        principal: &Principal,
        theme_codes: Vec<String>,
        domain_ids: Vec<String>,
        action_ids: Vec<i32>,
    ) -> Result<Self, ApiError> {
        let theme_codes = links::normalised(
            theme_codes
                .into_iter()
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        let domain_ids = links::normalised(domain_ids);
        let action_ids = links::normalised(action_ids);
        links::themes(conn, &theme_codes, "theme_codes")?;
        links::domains(conn, &domain_ids, "domain_ids")?;
        links::actions_to_link(conn, principal, &action_ids, "action_ids")?;
        Ok(Self {
            theme_codes,
            domain_ids,
            action_ids,
        })
    }

    fn replace(&self, conn: &mut PgConnection, id: i32) -> QueryResult<()> {
        diesel::delete(audit_themes::table.filter(audit_themes::audit_id.eq(id))).execute(conn)?;
        diesel::delete(audit_domains::table.filter(audit_domains::audit_id.eq(id)))
            .execute(conn)?;
        diesel::delete(audit_actions::table.filter(audit_actions::audit_id.eq(id)))
            .execute(conn)?;
        let themes: Vec<_> = self
            .theme_codes
            .iter()
            .map(|c| {
                (
                    audit_themes::audit_id.eq(id),
                    audit_themes::theme_code.eq(c),
                )
            })
            .collect();
        diesel::insert_into(audit_themes::table)
            .values(themes)
            .execute(conn)?;
        let domains: Vec<_> = self
            .domain_ids
            .iter()
            .map(|d| {
                (
                    audit_domains::audit_id.eq(id),
                    audit_domains::domain_id.eq(d),
                )
            })
            .collect();
        diesel::insert_into(audit_domains::table)
            .values(domains)
            .execute(conn)?;
        let actions: Vec<_> = self
            .action_ids
            .iter()
            .map(|a| {
                (
                    audit_actions::audit_id.eq(id),
                    audit_actions::action_id.eq(a),
                )
            })
            .collect();
        diesel::insert_into(audit_actions::table)
            .values(actions)
            .execute(conn)?;
        Ok(())
    }
}

pub fn create(
    conn: &mut PgConnection,
    principal: &Principal,
    new: NewAudit,
) -> Result<Audit, ApiError> {
    ensure_external_ref_free(conn, new.external_ref.as_deref(), None)?;
    let links = Links::checked(
        conn,
        principal,
        new.theme_codes,
        new.domain_ids,
        new.action_ids,
    )?;
    let id: i32 = diesel::insert_into(audits::table)
        .values((
            audits::external_ref.eq(&new.external_ref),
            audits::auditor.eq(new.auditor),
            audits::auditor_name.eq(&new.auditor_name),
            audits::title.eq(&new.title),
            audits::description.eq(&new.description),
            audits::audited_on.eq(new.audited_on),
            audits::reference.eq(&new.reference),
            audits::report_url.eq(&new.report_url),
        ))
        .returning(audits::id)
        .get_result(conn)?;
    links.replace(conn, id)?;
    let created = find(conn, id)?;
    trail::created(conn, principal, EntityType::Audit, id, &created)?;
    Ok(created)
}

pub fn update(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
    patch: AuditPatch,
    precondition: &Precondition,
) -> Result<Audit, ApiError> {
    let current = locked(conn, id)?;
    let external_ref = patch
        .external_ref
        .unwrap_or_else(|| current.external_ref.clone());
    if external_ref != current.external_ref {
        ensure_external_ref_free(conn, external_ref.as_deref(), Some(id))?;
    }
    let links = Links::checked(
        conn,
        principal,
        patch
            .theme_codes
            .unwrap_or_else(|| current.theme_codes.clone()),
        patch
            .domain_ids
            .unwrap_or_else(|| current.domain_ids.clone()),
        patch
            .action_ids
            .unwrap_or_else(|| current.action_ids.clone()),
    )?;
    // a stale If-Match is answered only for a write that is valid otherwise (RFC 9110 13.2.1)
    precondition.check(&current)?;
    diesel::update(audits::table.find(id))
        .set((
            audits::external_ref.eq(external_ref),
            audits::auditor.eq(patch.auditor.unwrap_or(current.auditor)),
            audits::auditor_name.eq(patch
                .auditor_name
                .unwrap_or_else(|| current.auditor_name.clone())),
            audits::title.eq(patch.title.unwrap_or_else(|| current.title.clone())),
            audits::description.eq(patch
                .description
                .unwrap_or_else(|| current.description.clone())),
            audits::audited_on.eq(patch.audited_on.unwrap_or(current.audited_on)),
            audits::reference.eq(patch.reference.unwrap_or_else(|| current.reference.clone())),
            audits::report_url.eq(patch
                .report_url
                .unwrap_or_else(|| current.report_url.clone())),
            audits::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    links.replace(conn, id)?;
    let changed = find(conn, id)?;
    trail::changed(conn, principal, EntityType::Audit, id, &current, &changed)?;
    Ok(changed)
}

/// Deletes an audit with its links (the actions that follow from it stay); 409 while it has
/// recommendations.
pub fn delete(
    conn: &mut PgConnection,
    principal: &Principal,
    id: i32,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    let current = locked(conn, id)?;
    precondition.check(&current)?;
    let recommended: i64 = recommendations::table
        .filter(recommendations::audit_id.eq(id))
        .count()
        .get_result(conn)?;
    if recommended > 0 {
        return Err(ApiError::Conflict(format!(
            "Audit {id} has {recommended} recommendation(s); delete them first."
        )));
    }
    diesel::delete(audits::table.find(id)).execute(conn)?;
    trail::deleted(conn, principal, EntityType::Audit, id, &current)?;
    Ok(())
}
