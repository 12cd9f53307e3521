//! HTTP handlers of `/api/v1/audit-events`, and the page of one entity's history that the
//! risk and action history endpoints serve.

use actix_web::{get, web, HttpRequest};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{AuditEvent, AuditQuery, EntityType};
use super::repo::{self, AuditFilter};
use crate::api::{page, ListParams, Page, Query};
use crate::auth::{Principal, Role};
use crate::db::Database;
use crate::error::ApiError;
use diesel::pg::PgConnection;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_audit_events);
}

/// List audit events
///
/// Every recorded write, oldest first: who (`actor`, the token's name, and `actor_id`), what (`entity_type`, `entity_id`,
/// `operation`), when, and the entity before and after. The trail is append-only: the API
/// offers no way to change it and the database refuses UPDATE and DELETE on it. The events
/// about API tokens and webhooks are for admins only, as the tokens and webhooks are: other
/// tokens do not see them, and asking for `entity_type=token` or `webhook` without the admin
/// role is 403.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses((status = 200, description = "A page of audit events.", body = Page<AuditEvent>))
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    db: web::Data<Database>,
    principal: Principal,
    Query(params): Query<AuditQuery>,
    req: HttpRequest,
) -> Result<Page<AuditEvent>, ApiError> {
    let admin = principal.role == Some(Role::Admin);
    let admins_only = [EntityType::Token, EntityType::Webhook];
    if params.entity_type.is_some_and(|t| admins_only.contains(&t)) && !admin {
        return Err(ApiError::Forbidden(format!(
            "The token `{}` may not read the events of API tokens and webhooks: it needs the admin role.",
            principal.name
        )));
    }
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
        actor_id: params.actor_id,
        since: params.since,
        until: params.until,
        with_tokens: admin,
        limit: limit + 1,
    };
    let rows = db.run(move |conn| repo::list(conn, filter)).await?;
    Ok(Page::new(rows, limit, repo::key, &req))
}

/// A page of the history of the entity `id` of `entity_type` and of its yearly rows of
/// `yearly_type`, newest first; `exists` answers 404 for an entity that is not there.
pub async fn history(
    db: &Database,
    (entity_type, yearly_type): (EntityType, EntityType),
    id: i32,
    exists: fn(&mut PgConnection, i32) -> Result<(), ApiError>,
    params: ListParams,
    req: &HttpRequest,
) -> Result<Page<AuditEvent>, ApiError> {
    let (limit, before) = (params.limit()?, params.after()?);
    let rows = db
        .run(move |conn| {
            exists(conn, id)?;
            repo::history(conn, entity_type, yearly_type, id, before, limit + 1)
        })
        .await?;
    Ok(Page::new(rows, limit, repo::key, req))
}
