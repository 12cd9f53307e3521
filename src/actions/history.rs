//! `GET /api/v1/actions/{id}/history`: what the audit trail says of one action.

use actix_web::{get, web, HttpRequest};

use crate::api::{ListParams, Page, Query};
use crate::audit::{self, dto::AuditEvent, EntityType};
use crate::db::Database;
use crate::error::ApiError;

/// History of an action
///
/// The audit events of the action and of its yearly statuses, newest first.
#[utoipa::path(
    tag = "actions",
    params(("id" = i32, Path, description = "Identifier of the action.", example = 1), ListParams),
    responses((status = 200, description = "A page of the action's events.", body = Page<AuditEvent>))
)]
#[get("/actions/{id}/history")]
pub async fn list_action_history(
    db: web::Data<Database>,
    id: web::Path<i32>,
    Query(params): Query<ListParams>,
    req: HttpRequest,
) -> Result<Page<AuditEvent>, ApiError> {
    let types = (EntityType::Action, EntityType::ActionStatus);
    let exists = super::repo::ensure_exists;
    audit::handlers::history(&db, types, id.into_inner(), exists, params, &req).await
}
