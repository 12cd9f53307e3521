//! HTTP handlers of the recommendations: `/api/v1/audits/{audit_id}/recommendations`,
//! `/api/v1/recommendations[/{id}]`, their yearly statuses and the summary.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::dto::{
    NewRecommendation, Recommendation, RecommendationPatch, RecommendationQuery,
    RecommendationStatus, RecommendationStatusInput, RecommendationUpsert,
};
use super::repo::{self, RecommendationFilter};
use super::summary::{self, RecommendationSummary, SummaryQuery};
use crate::api::listing::window_of;
use crate::api::{
    self, check_year, put_response, respond, with_etag, Json, ListParams, Page, Query,
};
use crate::audit::{self as trail, dto::AuditEvent, EntityType};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::{ApiError, Problem};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_recommendation_summary)
        .service(put_recommendation_by_ref)
        .service(list_recommendations)
        .service(create_recommendation);
    item_routes(cfg);
    cfg.service(list_recommendation_history);
    status_routes(cfg);
}

/// Follow-up of the recommendations in a year
///
/// Per audit and overall, what became of the recommendations in `year`, in Audit
/// Vlaanderen's categories: `fully` implemented, `partly` (partly implemented or in
/// progress), `not` (not implemented, open, or without a status that counts), with their
/// percentages; `risk_accepted` apart; and `overdue` (due by the end of the year and neither
/// implemented nor accepted). In a reviewed year only approved statuses count. One statement.
#[utoipa::path(
    tag = "recommendations",
    params(SummaryQuery),
    responses((status = 200, description = "The summary.", body = RecommendationSummary))
)]
#[get("/recommendations/summary")]
pub async fn get_recommendation_summary(
    db: web::Data<Database>,
    Query(params): Query<SummaryQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let year = params.year;
    check_year(year)?;
    let summary = db.run(move |conn| summary::summary(conn, year)).await?;
    Ok(with_etag(&req, &summary))
}

/// Create or replace a recommendation by its external key
///
/// The coordinator's script upsert: the body is the whole recommendation with its `audit_id`
/// (a recommendation does not move to another audit: 422), and `statuses` replace the years
/// they name and leave other years alone. 201 when created, 200 when changed, and 200 with the
/// same `ETag` and no audit event when it already was as sent, so a re-run is harmless.
/// Reviewer or admin.
#[utoipa::path(
    tag = "recommendations",
    params(("external_ref" = String, Path, description = "The organisation's own key of the recommendation.", example = "AUD-2022-FIN-3")),
    request_body(content = RecommendationUpsert, content_type = "application/json"),
    responses(
        (status = 200, description = "The recommendation was changed, or already was as sent.", body = Recommendation),
        (status = 201, description = "The recommendation was created.", body = Recommendation),
        (status = 409, description = "A status is in an adopted year.", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/recommendations/by-ref/{external_ref}")]
pub async fn put_recommendation_by_ref(
    db: web::Data<Database>,
    principal: Principal,
    external_ref: web::Path<String>,
    body: Json<RecommendationUpsert>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let external_ref = external_ref.into_inner();
    let input = body.0;
    input.validate()?;
    if external_ref.trim().is_empty()
        || external_ref.chars().count() as u64 > crate::api::limits::REF_MAX
        || external_ref.chars().any(char::is_control)
    {
        return Err(ApiError::invalid(
            "external_ref",
            "must be 1 to 100 characters on one line",
        ));
    }
    let (recommendation, outcome) = db
        .transaction(move |conn| repo::upsert(conn, &principal, &external_ref, input))
        .await?;
    Ok(match outcome {
        repo::Upserted::Created => put_response(
            &recommendation,
            true,
            format!("/api/v1/recommendations/{}", recommendation.id),
        ),
        _ => with_etag(&req, &recommendation),
    })
}

/// List recommendations
///
/// The recommendations of every audit with their statuses per year, filtered by audit,
/// department, priority, and status in a year; `q` searches the text in Dutch, ignoring
/// accents. Sorted by id, creation or change (or relevance when searching); one statement a
/// page.
#[utoipa::path(
    tag = "recommendations",
    params(RecommendationQuery),
    responses((status = 200, description = "A page of recommendations.", body = Page<Recommendation>))
)]
#[get("/recommendations")]
pub async fn list_recommendations(
    db: web::Data<Database>,
    Query(params): Query<RecommendationQuery>,
    req: HttpRequest,
) -> Result<Page<Recommendation>, ApiError> {
    api::check_year_filter(params.year, params.status.is_some())?;
    let filter = RecommendationFilter {
        audit_id: params.audit_id,
        department_id: params.department_id,
        priority: params.priority,
        year: params.year,
        status: params.status,
        window: window_of!(params)?,
    };
    let (items, next) = db.run(move |conn| repo::list(conn, filter)).await?;
    Ok(Page::with_next(items, next, &req))
}

/// Add a recommendation to an audit
///
/// A recommendation of the audit, with its priority, owning department, due day and the
/// actions that implement it (reviewer or admin). What becomes of it is set per year with
/// `PUT /recommendations/{id}/statuses/{year}`.
#[utoipa::path(
    tag = "recommendations",
    params(("audit_id" = i32, Path, description = "Identifier of the audit.", example = 1)),
    request_body(content = NewRecommendation, content_type = "application/json"),
    responses(
        (status = 201, description = "The recommendation was added.", body = Recommendation),
        (status = 409, description = "The external_ref is taken.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/audits/{audit_id}/recommendations")]
pub async fn create_recommendation(
    db: web::Data<Database>,
    principal: Principal,
    audit_id: web::Path<i32>,
    body: Json<NewRecommendation>,
) -> Result<HttpResponse, ApiError> {
    let audit_id = audit_id.into_inner();
    let location = |r: &Recommendation| format!("/api/v1/recommendations/{}", r.id);
    respond::create(&db, body.0, location, move |conn, new| {
        repo::create(conn, &principal, audit_id, new)
    })
    .await
}

/// History of a recommendation
///
/// The audit events of the recommendation and of its yearly statuses, newest first.
#[utoipa::path(
    tag = "recommendations",
    params(("id" = i32, Path, description = "Identifier of the recommendation.", example = 1), ListParams),
    responses((status = 200, description = "A page of the recommendation's events.", body = Page<AuditEvent>))
)]
#[get("/recommendations/{id}/history")]
pub async fn list_recommendation_history(
    db: web::Data<Database>,
    id: web::Path<i32>,
    Query(params): Query<ListParams>,
    req: HttpRequest,
) -> Result<Page<AuditEvent>, ApiError> {
    let types = (EntityType::Recommendation, EntityType::RecommendationStatus);
    trail::handlers::history(
        &db,
        types,
        id.into_inner(),
        repo::ensure_exists,
        params,
        &req,
    )
    .await
}

crate::years::handlers::yearly_handlers! {
    tag: "recommendations",
    parent: ("id", "Identifier of the recommendation."),
    row: RecommendationStatus, input: RecommendationStatusInput,
    noun: ("status", "statuses"),
    paths: (
        "/recommendations/{id}/statuses",
        "/recommendations/{id}/statuses/{year}",
        "/recommendations/{id}/statuses/{year}/review"
    ),
    location: "/api/v1/recommendations/{}/statuses/{}",
    example_year: 2023,
    routes: status_routes,
    /// List a recommendation's statuses
    ///
    /// What became of the recommendation, year by year, oldest first.
    list: list_recommendation_statuses => repo::statuses,
    /// Get a recommendation's status of a year
    ///
    /// What became of the recommendation that year.
    get: get_recommendation_status => repo::find_status,
    /// Set a recommendation's status of a year
    ///
    /// Creates (201) or replaces (200) what became of the recommendation that year: editors of
    /// the owning department, reviewers and admins. `risk_accepted` needs the reason in `note`
    /// (422) and is a reviewer's or admin's decision (403 for an editor). In a year under review
    /// the status is `submitted` until a reviewer approves it; in an adopted year it is locked
    /// (409). With `If-Match`, a replacement is refused (412) when it changed meanwhile.
    put: put_recommendation_status => repo::put_status,
        conflict: "The year is adopted, or its collection is closed.",
    /// Delete a recommendation's status of a year
    ///
    /// Removes the status of the year; refused (409) in an adopted year.
    delete: delete_recommendation_status => repo::delete_status,
    /// Review a recommendation's status of a year
    ///
    /// Approves the submitted status, or returns it with a note, as for actions' statuses:
    /// nobody reviews what they submitted (403, for admins too, and refused by the database);
    /// only a submitted status is reviewed (409). Reviewer or admin.
    review: review_recommendation_status => repo::review_status,
}

crate::api::handlers::item_handlers! {
    tag: "recommendations",
    key: i32, ("id", "Identifier of the recommendation.", 1),
    path: "/recommendations/{id}",
    row: Recommendation,
    noun: "recommendation",
    routes: item_routes,
    get: {
        /// Get one recommendation
        ///
        /// The recommendation with the actions that implement it and its status per year.
        get_recommendation => repo::find
    },
    update: {
        /// Change a recommendation
        ///
        /// JSON Merge Patch (RFC 7386) of the text, priority, department, due day or actions
        /// (`action_ids` replaces the set). With `If-Match`, refused (412) when it changed meanwhile.
        /// Reviewer or admin.
        update_recommendation(RecommendationPatch) => repo::update,
        conflict: "The external_ref is taken."
    },
    delete: {
        /// Delete a recommendation
        ///
        /// Removes the recommendation with its statuses; refused (409) when one of them is in an
        /// adopted year. Reviewer or admin.
        delete_recommendation => repo::delete,
        conflict: "A status is in an adopted year."
    },
}
