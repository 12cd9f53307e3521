//! HTTP handlers of `/api/v1/domains/{domain_id}/criteria`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::dto::{Criterion, CriterionPatch, NewCriterion};
use super::repo;
use crate::api::respond;
use crate::api::{self, Json, ListParams, MergePatch, Page, Query};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::ApiError;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_criteria)
        .service(create_criterion)
        .service(get_criterion)
        .service(update_criterion)
        .service(delete_criterion);
}

/// List the criteria of a domain
///
/// The criteria ("Detail criterium") of the domain, in order.
#[utoipa::path(
    tag = "domains",
    params(("domain_id" = String, Path, description = "Slug of the domain.", example = "organisatiecultuur"), ListParams),
    responses((status = 200, description = "A page of criteria.", body = Page<Criterion>))
)]
#[get("/domains/{domain_id}/criteria")]
pub async fn list_criteria(
    db: web::Data<Database>,
    domain_id: web::Path<String>,
    Query(params): Query<ListParams>,
    req: HttpRequest,
) -> Result<Page<Criterion>, ApiError> {
    let domain_id = domain_id.into_inner();
    let load = move |conn: &mut _, after, rows| repo::list(conn, &domain_id, after, rows);
    respond::list(&db, &req, params, load, repo::key).await
}

/// Get one criterion of a domain
///
/// The criterion with its `ETag`.
#[utoipa::path(
    tag = "domains",
    params(
        ("domain_id" = String, Path, description = "Slug of the domain.", example = "organisatiecultuur"),
        ("criterion_id" = i32, Path, description = "Identifier of the criterion.", example = 1)
    ),
    responses(
        (status = 200, description = "The criterion.", body = Criterion)
    )
)]
#[get("/domains/{domain_id}/criteria/{criterion_id}")]
pub async fn get_criterion(
    db: web::Data<Database>,
    path: web::Path<(String, i32)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (domain_id, id) = path.into_inner();
    respond::read(&db, &req, move |conn| repo::find(conn, &domain_id, id)).await
}

/// Add a criterion to a domain
///
/// Adds the criterion at `position` (last when absent); the criteria after it move down one place.
#[utoipa::path(
    tag = "domains",
    params(("domain_id" = String, Path, description = "Slug of the domain.", example = "organisatiecultuur")),
    request_body(content = NewCriterion, content_type = "application/json"),
    responses(
        (status = 201, description = "The criterion was created.", body = Criterion)
    )
)]
#[post("/domains/{domain_id}/criteria")]
pub async fn create_criterion(
    db: web::Data<Database>,
    principal: Principal,
    domain_id: web::Path<String>,
    body: Json<NewCriterion>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0;
    new.validate()?;
    let domain_id = domain_id.into_inner();
    let criterion = db
        .transaction(move |conn| repo::create(conn, &principal, &domain_id, new))
        .await?;
    let location = format!(
        "/api/v1/domains/{}/criteria/{}",
        criterion.domain_id, criterion.id
    );
    Ok(api::created(location, &criterion))
}

/// Change a criterion
///
/// JSON Merge Patch (RFC 7386) of the text or position; moving a criterion shifts the others
/// of its domain. With `If-Match`, the change is refused (412) when the criterion changed meanwhile.
#[utoipa::path(
    tag = "domains",
    params(
        ("domain_id" = String, Path, description = "Slug of the domain.", example = "organisatiecultuur"),
        ("criterion_id" = i32, Path, description = "Identifier of the criterion.", example = 1)
    ),
    request_body(content = CriterionPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed criterion.", body = Criterion)
    )
)]
#[patch("/domains/{domain_id}/criteria/{criterion_id}")]
pub async fn update_criterion(
    db: web::Data<Database>,
    principal: Principal,
    path: web::Path<(String, i32)>,
    body: MergePatch<CriterionPatch>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (domain_id, id) = path.into_inner();
    respond::change(&db, &req, body.0, move |conn, patch, precondition| {
        repo::update(conn, &principal, &domain_id, id, patch, precondition)
    })
    .await
}

/// Delete a criterion
///
/// Removes the criterion; the criteria after it move up one place.
#[utoipa::path(
    tag = "domains",
    params(
        ("domain_id" = String, Path, description = "Slug of the domain.", example = "organisatiecultuur"),
        ("criterion_id" = i32, Path, description = "Identifier of the criterion.", example = 1)
    ),
    responses((status = 204, description = "The criterion was deleted."))
)]
#[delete("/domains/{domain_id}/criteria/{criterion_id}")]
pub async fn delete_criterion(
    db: web::Data<Database>,
    principal: Principal,
    path: web::Path<(String, i32)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (domain_id, id) = path.into_inner();
    respond::remove(&db, &req, move |conn, precondition| {
        repo::delete(conn, &principal, &domain_id, id, precondition)
    })
    .await
}
