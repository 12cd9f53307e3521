//! HTTP handlers of `/api/v1/actions`.

use actix_web::{get, web, HttpRequest};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{Action, ActionPatch, ActionQuery, NewAction};
use super::repo::{self, ActionFilter};
use crate::api::listing::window_of;
use crate::api::{self, CascadeParams, Page, Query};
use crate::db::Database;
use crate::error::ApiError;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_actions);
    item_routes(cfg);
    cfg.service(super::history::list_action_history);
}

/// List actions
///
/// Actions with their statuses, filtered and sorted. `domain_id` with `year` and
/// `status=realised` gives a domain's realisations of that year's report; `status=planned`
/// (or `in_progress`) its planning. `q` searches title and description in Dutch, ignoring
/// accents; results are ranked by relevance unless `sort` is given. Page with `next_cursor`
/// (or the `next` link).
#[utoipa::path(
    tag = "actions",
    params(ActionQuery),
    responses((status = 200, description = "A page of actions.", body = Page<Action>))
)]
#[get("/actions")]
pub async fn list_actions(
    db: web::Data<Database>,
    Query(params): Query<ActionQuery>,
    req: HttpRequest,
) -> Result<Page<Action>, ApiError> {
    api::check_year_filter(params.year, params.status.is_some())?;
    let filter = ActionFilter {
        domain_id: params.domain_id,
        year: params.year,
        status: params.status,
        department_id: params.department_id,
        risk_id: params.risk_id,
        theme: params.theme,
        parent_id: params.parent_id,
        top_level: params.top_level.unwrap_or(false),
        window: window_of!(params)?,
    };
    let (items, next) = db.run(move |conn| repo::list(conn, filter)).await?;
    Ok(Page::with_next(items, next, &req))
}

crate::api::handlers::item_handlers! {
    tag: "actions",
    key: i32, ("id", "Identifier of the action.", 1),
    path: "/actions/{id}",
    row: Action,
    noun: "action",
    routes: item_routes,
    create: {
        /// Create an action
        ///
        /// Adds an action serving one or more domains, optionally as a sub-action of `parent_id`.
        /// Its yearly statuses are set with `PUT /api/v1/actions/{id}/statuses/{year}`. With an
        /// `Idempotency-Key`, a retry with the same key and body gets the first answer again.
        create_action(NewAction) at "/actions" => repo::create,
        created: "The action was created.",
        conflict: "The external_ref is taken, or a request with the same Idempotency-Key is still running."
    },
    get: {
        /// Get one action
        ///
        /// The action with its domains, risks, themes and status per year.
        get_action => repo::find
    },
    update: {
        /// Change an action
        ///
        /// JSON Merge Patch (RFC 7386). Lists (`domain_ids`, `risk_ids`, `theme_codes`) replace the
        /// whole set; `parent_id: null` makes it a top-level action, and a parent cannot be the action
        /// itself or one of its sub-actions. With `If-Match`, the change is refused (412) when the
        /// action changed meanwhile.
        update_action(ActionPatch) => repo::update,
        conflict: "The external_ref is taken."
    },
    delete: {
        /// Delete an action
        ///
        /// Deletes the action with its statuses and links. While it has sub-actions the request is
        /// refused (409); `?cascade=true` then deletes the sub-actions too, at every depth.
        delete_action => repo::delete,
        conflict: "The action has sub-actions.",
        cascade: CascadeParams
    },
}
