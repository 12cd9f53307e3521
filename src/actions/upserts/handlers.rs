//! HTTP handlers of scripted updates.

use actix_web::{post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::dto::{ActionUpsert, BatchRequest, BatchResult, ItemResult, UpsertOutcome};
use super::repo;
use crate::actions::dto::Action;
use crate::api::idempotency::Stored;
use crate::api::respond;
use crate::api::{put_response, with_etag, Json};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::{ApiError, FieldError, Problem};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(put_action_by_ref).service(batch_upsert_actions);
}

/// Create or replace an action by its external key
///
/// The department script's upsert: the body is the full action, `statuses` replace the years
/// they name and leave other years alone. 201 when created, 200 when changed, and 200 with the
/// same `ETag` and no audit event when it already was as sent, so re-running a script is
/// harmless.
#[utoipa::path(
    tag = "actions",
    params(("external_ref" = String, Path, description = "The department's own key of the action.", example = "FIN-2023-007")),
    request_body(content = ActionUpsert, content_type = "application/json"),
    responses(
        (status = 200, description = "The action was changed, or already was as sent.", body = Action),
        (status = 201, description = "The action was created.", body = Action)
    )
)]
#[put("/actions/by-ref/{external_ref}")]
pub async fn put_action_by_ref(
    db: web::Data<Database>,
    principal: Principal,
    external_ref: web::Path<String>,
    body: Json<ActionUpsert>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let external_ref = external_ref.into_inner();
    let input = body.0;
    input.validate()?;
    if external_ref.is_empty() || external_ref.chars().count() > 100 {
        return Err(ApiError::invalid(
            "external_ref",
            "must be 1 to 100 characters",
        ));
    }
    if input
        .external_ref
        .as_ref()
        .is_some_and(|r| *r != external_ref)
    {
        return Err(ApiError::invalid(
            "external_ref",
            "differs from the key in the path",
        ));
    }
    let upserted = db
        .transaction(move |conn| repo::upsert(conn, &principal, &external_ref, input))
        .await?;
    let action = upserted.action;
    Ok(match upserted.outcome {
        UpsertOutcome::Created => {
            put_response(&action, true, format!("/api/v1/actions/{}", action.id))
        }
        _ => with_etag(&req, &action),
    })
}

/// Names the item an error is about.
/// Upsert up to 1000 actions at once
///
/// Each item is an upsert by `external_ref` like `PUT /api/v1/actions/by-ref/{external_ref}`.
/// All or nothing: one invalid item (422 naming `items[i].field`) or one item of another
/// department (403) and nothing is written. With `"dry_run": true` nothing is written and the
/// answer says per item `created`, `updated` (with the fields that would change, before and
/// after) or `unchanged`. With an `Idempotency-Key`, a retry with the same key and body gets
/// the first answer again.
#[utoipa::path(
    params(("Idempotency-Key" = Option<String>, Header, description = "A unique key per intended create (e.g. a UUID): a retry with the same key and body gets the first answer again, for 24 hours.", example = "5d1c9a52-6f0e-4c3b-9a4f-2f7d8e1b0c3a", pattern = r"^[!-~]{1,255}$")),
    tag = "actions",
    request_body(content = BatchRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "What the batch did, or would do.", body = BatchResult),
        (status = 409, description = "A request with the same Idempotency-Key is still running.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/actions/batch")]
pub async fn batch_upsert_actions(
    db: web::Data<Database>,
    principal: Principal,
    body: Json<BatchRequest>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let batch = body.0;
    batch.validate()?;
    let mut problems = Vec::new();
    let mut refs: Vec<&str> = Vec::new();
    for (index, item) in batch.items.iter().enumerate() {
        match item.external_ref.as_deref() {
            None => problems.push(FieldError::new(
                format!("items[{index}].external_ref"),
                "is required in a batch",
            )),
            Some(r) if refs.contains(&r) => problems.push(FieldError::new(
                format!("items[{index}].external_ref"),
                "appears more than once in the batch",
            )),
            Some(r) => refs.push(r),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::from_field_errors(problems));
    }
    let dry_run = batch.dry_run;
    let items = batch.items;
    if dry_run {
        // the batch runs for real and is rolled back: the answer is exactly what would happen
        let result = db
            .dry_run(move |conn| run(conn, &principal, items, true))
            .await?;
        return Ok(HttpResponse::Ok().json(result));
    }
    respond::once(
        &db,
        &req,
        principal,
        "batch_upsert_actions",
        move |conn, principal| Stored::of(&run(conn, principal, items, false)?, None),
    )
    .await
}

/// Upserts every item in the caller's transaction; the first failing item stops the batch.
fn run(
    conn: &mut diesel::PgConnection,
    principal: &Principal,
    items: Vec<ActionUpsert>,
    dry_run: bool,
) -> Result<BatchResult, ApiError> {
    let mut result = BatchResult {
        dry_run,
        items: Vec::new(),
        created: 0,
        updated: 0,
        unchanged: 0,
    };
    for (index, item) in items.into_iter().enumerate() {
        let external_ref = item.external_ref.clone().unwrap_or_default();
        let upserted = repo::upsert(conn, principal, &external_ref, item)
            .map_err(|e| e.for_item(index, &external_ref))?;
        match upserted.outcome {
            UpsertOutcome::Created => result.created += 1,
            UpsertOutcome::Updated => result.updated += 1,
            UpsertOutcome::Unchanged => result.unchanged += 1,
        }
        result.items.push(ItemResult {
            index,
            external_ref,
            outcome: upserted.outcome,
            id: upserted.action.id,
            changes: upserted.changes,
        });
    }
    Ok(result)
}
