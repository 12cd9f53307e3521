//! HTTP handlers of `/api/v1/self-evaluations` and `/api/v1/maturity-levels`.

use actix_web::{get, web, HttpRequest};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{NewSelfEvaluation, SelfEvaluation, SelfEvaluationPatch, SelfEvaluationQuery};
use super::repo::{self, Filter};
use crate::api::check_year_filter;
use crate::api::listing::window_of;
use crate::api::{Page, Query};
use crate::db::Database;
use crate::error::ApiError;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(super::levels::list_maturity_levels)
        .service(super::trend::get_maturity_trend)
        .service(list_self_evaluations);
    item_routes(cfg);
    cfg.service(super::history::list_self_evaluation_history);
}

/// List the self-evaluations
///
/// The self-evaluations against the Leidraad, with their scores per theme, filtered by year,
/// scope, department or a theme they scored. `q` searches title, method and participants in
/// Dutch, ignoring accents. Page with `next_cursor` (or the `next` link); two statements a
/// page, whatever its size.
#[utoipa::path(
    tag = "self-evaluations",
    params(SelfEvaluationQuery),
    responses((status = 200, description = "A page of self-evaluations.", body = Page<SelfEvaluation>))
)]
#[get("/self-evaluations")]
pub async fn list_self_evaluations(
    db: web::Data<Database>,
    Query(params): Query<SelfEvaluationQuery>,
    req: HttpRequest,
) -> Result<Page<SelfEvaluation>, ApiError> {
    check_year_filter(params.year, false)?;
    let filter = Filter {
        year: params.year,
        scope: params.scope,
        department_id: params.department_id,
        theme: params.theme,
        window: window_of!(params)?,
    };
    let (items, next) = db.run(move |conn| repo::list(conn, filter)).await?;
    Ok(Page::with_next(items, next, &req))
}

crate::api::handlers::item_handlers! {
    tag: "self-evaluations",
    key: i32, ("id", "Identifier of the self-evaluation.", 1),
    path: "/self-evaluations/{id}",
    row: SelfEvaluation,
    noun: "self-evaluation",
    routes: item_routes,
    create: {
        /// Register a self-evaluation
        ///
        /// Adds a self-evaluation of a report year (reviewer or admin): the whole organisation, one
        /// department (`department_id`) or a partial one, with a score per Leidraad theme on the
        /// maturity scale of `GET /maturity-levels`. A score or target not on the scale, a theme
        /// scored twice, or an unknown action is a 422 naming the field. A year whose report is
        /// adopted is locked (409). With an `Idempotency-Key`, a retry with the same key and body gets
        /// the first answer again.
        create_self_evaluation(NewSelfEvaluation) at "/self-evaluations" => repo::create,
        created: "The self-evaluation was registered.",
        conflict: "The external_ref is taken, the year's report is adopted, or a request with the same Idempotency-Key is still running."
    },
    get: {
        /// Get one self-evaluation
        ///
        /// The self-evaluation with its score, target, reasoning, evidence and improvement actions per
        /// theme.
        get_self_evaluation => repo::find
    },
    update: {
        /// Change a self-evaluation
        ///
        /// JSON Merge Patch (RFC 7386): send the members to change, `null` to remove an optional one;
        /// `scores` replaces all scores. With `If-Match`, the change is refused (412) when the
        /// self-evaluation changed meanwhile. A self-evaluation of an adopted year, or one moved into
        /// one, is locked (409). Reviewer or admin.
        update_self_evaluation(SelfEvaluationPatch) => repo::update,
        conflict: "The external_ref is taken, or the year's report is adopted."
    },
    delete: {
        /// Delete a self-evaluation
        ///
        /// Removes the self-evaluation and its scores; the improvement actions stay. A self-evaluation
        /// of an adopted year is locked (409). Reviewer or admin.
        delete_self_evaluation => repo::delete,
        conflict: "The year's report is adopted."
    },
}
