//! HTTP handlers of `/api/v1/audit-events` and the histories of risks and actions.

use actix_web::{get, web, HttpRequest};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{AuditEvent, AuditQuery};
use super::repo::{self, AuditFilter};
use crate::api::{page, ListParams, Page, Query};
use crate::db::Database;
use crate::error::ApiError;
use crate::{actions, risks};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_audit_events)
        .service(list_risk_history)
        .service(list_action_history);
}

/// List audit events
///
/// Every recorded write, oldest first: who (`actor`), what (`entity_type`, `entity_id`,
/// `operation`), when, and the entity before and after. The trail is append-only: the API
/// offers no way to change it and the database refuses UPDATE and DELETE on it.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses((status = 200, description = "A page of audit events.", body = Page<AuditEvent>))
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    db: web::Data<Database>,
    Query(params): Query<AuditQuery>,
    req: HttpRequest,
) -> Result<web::Json<Page<AuditEvent>>, ApiError> {
    let limit = page::limit(params.limit)?;
    let filter = AuditFilter {
        after: params
            .cursor
            .as_deref()
            .map(crate::api::Cursor::decode)
            .transpose()?,
        entity_type: params.entity_type,
        entity_id: params.entity_id,
        actor: params.actor,
        since: params.since,
        until: params.until,
        limit: limit + 1,
    };
    let rows = db.run(move |conn| repo::list(conn, filter)).await?;
    Ok(web::Json(Page::new(rows, limit, repo::key, &req)))
}

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
) -> Result<web::Json<Page<AuditEvent>>, ApiError> {
    let (id, limit, before) = (id.into_inner(), params.limit()?, params.after()?);
    let rows = db
        .run(move |conn| {
            risks::repo::ensure_exists(conn, id)?;
            repo::history(conn, "risk", "risk_assessment", id, before, limit + 1)
        })
        .await?;
    Ok(web::Json(Page::new(rows, limit, repo::key, &req)))
}

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
) -> Result<web::Json<Page<AuditEvent>>, ApiError> {
    let (id, limit, before) = (id.into_inner(), params.limit()?, params.after()?);
    let rows = db
        .run(move |conn| {
            actions::repo::ensure_exists(conn, id)?;
            repo::history(conn, "action", "action_status", id, before, limit + 1)
        })
        .await?;
    Ok(web::Json(Page::new(rows, limit, repo::key, &req)))
}
