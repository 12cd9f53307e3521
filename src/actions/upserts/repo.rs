//! Upsert by `external_ref`, through the same repository functions (and so the same checks
//! and audit events) as the single-resource operations.

use diesel::pg::PgConnection;

use super::dto::{ActionUpsert, Change, UpsertOutcome, Upserted};
use crate::actions::dto::{Action, ActionPatch, NewAction};
use crate::actions::repo as actions;
use crate::actions::statuses::dto::StatusInput;
use crate::actions::statuses::repo as statuses;
use crate::api::Precondition;
use crate::audit::repo::content;
use crate::auth::{self, Principal};
use crate::error::ApiError;
use crate::links;

fn same_action(current: &Action, input: &ActionUpsert) -> bool {
    current.title == input.title
        && current.description == input.description
        && current.domain_ids == links::normalised(input.domain_ids.clone())
        && current.parent_id == input.parent_id
        && current.risk_ids == links::normalised(input.risk_ids.clone())
        && current.theme_codes == links::normalised(input.theme_codes.clone())
        && current.department_id == input.department_id
        && current.plan_ref == input.plan_ref
}

/// The top-level fields whose content differs, ignoring the times every write moves.
fn changes(before: &Action, after: &Action) -> Result<Vec<Change>, ApiError> {
    let json =
        |action: &Action| serde_json::to_value(action).map_err(|e| ApiError::internal("upsert", e));
    let (before, after) = (json(before)?, json(after)?);
    let (Some(before), Some(after)) = (before.as_object(), after.as_object()) else {
        return Ok(Vec::new());
    };
    Ok(before
        .iter()
        .filter(|(field, _)| !matches!(field.as_str(), "updated_at" | "created_at"))
        .filter_map(|(field, was)| {
            let is = after.get(field).cloned().unwrap_or_default();
            (content(was) != content(&is)).then(|| Change {
                field: field.clone(),
                before: was.clone(),
                after: is,
            })
        })
        .collect())
}

/// Creates or replaces the action with `external_ref`. Writes nothing when it already is as
/// sent, so its ETag and the audit trail stay as they were.
pub fn upsert(
    conn: &mut PgConnection,
    principal: &Principal,
    external_ref: &str,
    input: ActionUpsert,
) -> Result<Upserted, ApiError> {
    let mut years: Vec<i32> = input.statuses.iter().map(|s| s.year).collect();
    years.sort_unstable();
    if years.windows(2).any(|w| w[0] == w[1]) {
        return Err(ApiError::invalid("statuses", "lists a year more than once"));
    }
    let Some(id) = actions::find_by_external_ref(conn, external_ref)? else {
        let new = NewAction {
            external_ref: Some(external_ref.to_string()),
            title: input.title,
            description: input.description,
            domain_ids: input.domain_ids,
            parent_id: input.parent_id,
            risk_ids: input.risk_ids,
            theme_codes: input.theme_codes,
            department_id: input.department_id,
            plan_ref: input.plan_ref,
        };
        let created = actions::create(conn, principal, new)?;
        write_statuses(conn, principal, &created, &input.statuses)?;
        let action = actions::find(conn, created.id)?;
        return Ok(Upserted {
            outcome: UpsertOutcome::Created,
            action,
            changes: Vec::new(),
        });
    };
    actions::lock(conn, principal, id)?;
    let before = actions::find(conn, id)?;
    auth::ensure_may_change(principal, input.department_id.as_deref())?;
    if !same_action(&before, &input) {
        let patch = ActionPatch {
            external_ref: None,
            title: Some(input.title.clone()),
            description: Some(input.description.clone()),
            domain_ids: Some(input.domain_ids.clone()),
            parent_id: Some(input.parent_id),
            risk_ids: Some(input.risk_ids.clone()),
            theme_codes: Some(input.theme_codes.clone()),
            department_id: Some(input.department_id.clone()),
            plan_ref: Some(input.plan_ref.clone()),
        };
        actions::update(conn, principal, id, patch, &Precondition::default())?;
    }
    write_statuses(conn, principal, &before, &input.statuses)?;
    let after = actions::find(conn, id)?;
    let changes = changes(&before, &after)?;
    let outcome = if changes.is_empty() {
        UpsertOutcome::Unchanged
    } else {
        UpsertOutcome::Updated
    };
    Ok(Upserted {
        outcome,
        action: after,
        changes,
    })
}

/// Writes the statuses that differ from what the action has.
fn write_statuses(
    conn: &mut PgConnection,
    principal: &Principal,
    action: &Action,
    wanted: &[super::dto::YearStatus],
) -> Result<(), ApiError> {
    for status in wanted {
        let current = action.statuses.iter().find(|s| s.year == status.year);
        let same = current.is_some_and(|c| {
            c.status == status.status && c.progress == status.progress && c.note == status.note
        });
        if !same {
            let input = StatusInput {
                status: status.status,
                progress: status.progress,
                note: status.note.clone(),
            };
            statuses::put(
                conn,
                principal,
                action.id,
                status.year,
                input,
                &Precondition::default(),
            )?;
        }
    }
    Ok(())
}
