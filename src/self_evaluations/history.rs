//! `GET /api/v1/self-evaluations/{id}/history`: what the audit trail says of one
//! self-evaluation.

use actix_web::{get, web, HttpRequest};

use crate::api::{ListParams, Page, Query};
use crate::audit::{self, dto::AuditEvent, EntityType};
use crate::db::Database;
use crate::error::ApiError;

/// History of a self-evaluation
///
/// The audit events of the self-evaluation (its scores included), newest first.
#[utoipa::path(
    tag = "self-evaluations",
    params(("id" = i32, Path, description = "Identifier of the self-evaluation.", example = 1), ListParams),
    responses((status = 200, description = "A page of the self-evaluation's events.", body = Page<AuditEvent>))
)]
#[get("/self-evaluations/{id}/history")]
pub async fn list_self_evaluation_history(
    db: web::Data<Database>,
    id: web::Path<i32>,
    Query(params): Query<ListParams>,
    req: HttpRequest,
) -> Result<Page<AuditEvent>, ApiError> {
    let types = (EntityType::SelfEvaluation, EntityType::SelfEvaluation);
    let exists = super::repo::ensure_exists;
    audit::handlers::history(&db, types, id.into_inner(), exists, params, &req).await
}
