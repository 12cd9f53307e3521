//! HTTP handlers of `/api/v1/audits`.

use actix_web::{get, web, HttpRequest};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{Audit, AuditPatch, AuditQuery, NewAudit};
use super::repo::{self, AuditFilter};
use crate::api::listing::window_of;
use crate::api::{Page, Query};
use crate::db::Database;
use crate::error::ApiError;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_audits);
    item_routes(cfg);
    cfg.service(super::history::list_audit_history);
}

/// List the audits
///
/// The audits the organisation underwent, filtered and sorted: by kind of auditor, domain,
/// theme, or an action that follows from them. `q` searches title, auditor name and
/// description in Dutch, ignoring accents; results are ranked by relevance unless `sort` is
/// given. Page with `next_cursor` (or the `next` link); one statement a page.
#[utoipa::path(
    tag = "audits",
    params(AuditQuery),
    responses((status = 200, description = "A page of audits.", body = Page<Audit>))
)]
#[get("/audits")]
pub async fn list_audits(
    db: web::Data<Database>,
    Query(params): Query<AuditQuery>,
    req: HttpRequest,
) -> Result<Page<Audit>, ApiError> {
    let filter = AuditFilter {
        auditor: params.auditor,
        domain_id: params.domain_id,
        theme: params.theme,
        action_id: params.action_id,
        window: window_of!(params)?,
    };
    let (items, next) = db.run(move |conn| repo::list(conn, filter)).await?;
    Ok(Page::with_next(items, next, &req))
}

crate::api::handlers::item_handlers! {
    tag: "audits",
    key: i32, ("id", "Identifier of the audit.", 1),
    path: "/audits/{id}",
    row: Audit,
    noun: "audit",
    routes: item_routes,
    create: {
        /// Register an audit
        ///
        /// Adds an audit with the themes and domains it concerned and the actions that follow from
        /// it (reviewer or admin). With an `Idempotency-Key`, a retry with the same key and body gets
        /// the first answer again.
        create_audit(NewAudit) at "/audits" => repo::create,
        created: "The audit was registered.",
        conflict: "The external_ref is taken, or a request with the same Idempotency-Key is still running."
    },
    get: {
        /// Get one audit
        ///
        /// The audit with its themes, domains and the actions that follow from it.
        get_audit => repo::find
    },
    update: {
        /// Change an audit
        ///
        /// JSON Merge Patch (RFC 7386): send the members to change, `null` to remove an optional one;
        /// `theme_codes`, `domain_ids` and `action_ids` replace their whole set. With `If-Match`, the
        /// change is refused (412) when the audit changed meanwhile. Reviewer or admin.
        update_audit(AuditPatch) => repo::update,
        conflict: "The external_ref is taken."
    },
    delete: {
        /// Delete an audit
        ///
        /// Removes the audit and its links; the actions that follow from it stay. An audit with
        /// recommendations is not deleted (409): delete them first. Reviewer or admin.
        delete_audit => repo::delete,
        conflict: "The audit has recommendations."
    },
}
