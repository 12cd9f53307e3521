//! HTTP handlers of `/api/v1/risks`.

use actix_web::{get, web, HttpRequest};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{NewRisk, Risk, RiskPatch, RiskQuery};
use super::repo::{self, RiskFilter};
use crate::api::listing::window_of;
use crate::api::{self, CascadeParams, Page, Query};
use crate::db::Database;
use crate::error::ApiError;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_risks);
    item_routes(cfg);
    cfg.service(super::history::list_risk_history);
}

/// List risks
///
/// Risks with their assessments, filtered and sorted. `year` with `status=open` (or
/// `monitoring`) gives the risks followed up in that year. `q` searches title and description
/// in Dutch, ignoring accents (`financien` finds "financiën"); results are ranked by relevance
/// unless `sort` is given. Page with `next_cursor` (or the `next` link).
#[utoipa::path(
    tag = "risks",
    params(RiskQuery),
    responses((status = 200, description = "A page of risks.", body = Page<Risk>))
)]
#[get("/risks")]
pub async fn list_risks(
    db: web::Data<Database>,
    Query(params): Query<RiskQuery>,
    req: HttpRequest,
) -> Result<Page<Risk>, ApiError> {
    api::check_year_filter(params.year, params.status.is_some())?;
    let filter = RiskFilter {
        domain_id: params.domain_id,
        year: params.year,
        status: params.status,
        department_id: params.department_id,
        theme: params.theme,
        window: window_of!(params)?,
    };
    let (items, next) = db.run(move |conn| repo::list(conn, filter)).await?;
    Ok(Page::with_next(items, next, &req))
}

crate::api::handlers::item_handlers! {
    tag: "risks",
    key: i32, ("id", "Identifier of the risk.", 1),
    path: "/risks/{id}",
    row: Risk,
    noun: "risk",
    routes: item_routes,
    create: {
        /// Create a risk
        ///
        /// Adds a risk to a domain. Its yearly assessments are set with
        /// `PUT /api/v1/risks/{id}/assessments/{year}`. With an `Idempotency-Key`, a retry with the
        /// same key and body gets the first answer again.
        create_risk(NewRisk) at "/risks" => repo::create,
        created: "The risk was created.",
        conflict: "A request with the same Idempotency-Key is still running."
    },
    get: {
        /// Get one risk
        ///
        /// The risk with its themes and its assessment per year.
        get_risk => repo::find
    },
    update: {
        /// Change a risk
        ///
        /// JSON Merge Patch (RFC 7386) of the domain, title, description, department or themes
        /// (`theme_codes` replaces the whole set). With `If-Match`, the change is refused (412) when
        /// the risk changed meanwhile.
        update_risk(RiskPatch) => repo::update
    },
    delete: {
        /// Delete a risk
        ///
        /// Deletes the risk with its assessments. While actions address it the request is refused
        /// (409); `?cascade=true` then also removes those links, and the actions stay.
        delete_risk => repo::delete,
        conflict: "Actions address the risk.",
        cascade: CascadeParams
    },
}
