//! `GET /api/v1/audits/{id}/history`: what the audit trail says of one audit.

use actix_web::{get, web, HttpRequest};

use crate::api::{ListParams, Page, Query};
use crate::audit::{self, dto::AuditEvent, EntityType};
use crate::db::Database;
use crate::error::ApiError;

/// History of an audit
///
/// The audit events of the audit, newest first.
#[utoipa::path(
    tag = "audits",
    params(("id" = i32, Path, description = "Identifier of the audit.", example = 1), ListParams),
    responses((status = 200, description = "A page of the audit's events.", body = Page<AuditEvent>))
)]
#[get("/audits/{id}/history")]
pub async fn list_audit_history(
    db: web::Data<Database>,
    id: web::Path<i32>,
    Query(params): Query<ListParams>,
    req: HttpRequest,
) -> Result<Page<AuditEvent>, ApiError> {
    let types = (EntityType::Audit, EntityType::Audit);
    let exists = super::repo::ensure_exists;
    audit::handlers::history(&db, types, id.into_inner(), exists, params, &req).await
}
