//! HTTP handlers of `/api/v1/self-evaluations` and `/api/v1/maturity-levels`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{NewSelfEvaluation, SelfEvaluation, SelfEvaluationPatch, SelfEvaluationQuery};
use super::repo::{self, Filter};
use crate::api::listing::Window;
use crate::api::{check_year_filter, respond};
use crate::api::{Json, Page, Query};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::{ApiError, Problem};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(super::levels::list_maturity_levels)
        .service(super::trend::get_maturity_trend)
        .service(list_self_evaluations)
        .service(create_self_evaluation);
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
        window: Window::new(
            params.q,
            params.sort.as_deref(),
            params.cursor.as_deref(),
            params.limit,
            params.updated_since,
        )?,
    };
    let (items, next) = db.run(move |conn| repo::list(conn, filter)).await?;
    Ok(Page::with_next(items, next, &req))
}

/// Register a self-evaluation
///
/// Adds a self-evaluation of a report year (reviewer or admin): the whole organisation, one
/// department (`department_id`) or a partial one, with a score per Leidraad theme on the
/// maturity scale of `GET /maturity-levels`. A score or target not on the scale, a theme
/// scored twice, or an unknown action is a 422 naming the field. A year whose report is
/// adopted is locked (409). With an `Idempotency-Key`, a retry with the same key and body gets
/// the first answer again.
#[utoipa::path(
    params(("Idempotency-Key" = Option<String>, Header, description = "A unique key per intended create (e.g. a UUID): a retry with the same key and body gets the first answer again, for 24 hours.", example = "5d1c9a52-6f0e-4c3b-9a4f-2f7d8e1b0c3a", pattern = r"^[!-~]{1,255}$")),
    tag = "self-evaluations",
    request_body(content = NewSelfEvaluation, content_type = "application/json"),
    responses(
        (status = 201, description = "The self-evaluation was registered.", body = SelfEvaluation),
        (status = 409, description = "The external_ref is taken, the year's report is adopted, or a request with the same Idempotency-Key is still running.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/self-evaluations")]
pub async fn create_self_evaluation(
    db: web::Data<Database>,
    principal: Principal,
    body: Json<NewSelfEvaluation>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    respond::create_once(
        &db,
        &req,
        principal,
        "create_self_evaluation",
        body.0,
        |evaluation: &SelfEvaluation| format!("/api/v1/self-evaluations/{}", evaluation.id),
        repo::create,
    )
    .await
}

crate::api::handlers::item_handlers! {
    tag: "self-evaluations",
    key: i32, ("id", "Identifier of the self-evaluation.", 1),
    path: "/self-evaluations/{id}",
    row: SelfEvaluation,
    noun: "self-evaluation",
    routes: item_routes,
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
