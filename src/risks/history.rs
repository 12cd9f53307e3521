//! `GET /api/v1/risks/{id}/history`: what the audit trail says of one risk.

use actix_web::{get, web, HttpRequest};

use crate::api::{ListParams, Page, Query};
use crate::audit::{self, dto::AuditEvent, EntityType};
use crate::db::Database;
use crate::error::ApiError;

/// History of a risk
///
/// The audit events of the risk and of its yearly assessments, newest first.
#[utoipa::path(
    tag = "risks",
    params(("id" = i32, Path, description = "Identifier of the risk.", example = 1), ListParams),
    responses((status = 200, description = "A page of the risk's events.", body = Page<AuditEvent>))
)]
#[get("/risks/{id}/history")]
pub async fn list_risk_history(
    db: web::Data<Database>,
    id: web::Path<i32>,
    Query(params): Query<ListParams>,
    req: HttpRequest,
) -> Result<Page<AuditEvent>, ApiError> {
    let types = (EntityType::Risk, EntityType::RiskAssessment);
    let exists = super::repo::ensure_exists;
    audit::handlers::history(&db, types, id.into_inner(), exists, params, &req).await
}
