//! HTTP handlers of `/api/v1/risks/{risk_id}/assessments`.

use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{Assessment, AssessmentInput};
use super::repo;
use crate::api::respond;
use crate::api::{check_year, Json};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::{ApiError, Problem};
use crate::years::ReviewInput;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_risk_assessments)
        .service(get_risk_assessment)
        .service(put_risk_assessment)
        .service(delete_risk_assessment)
        .service(review_risk_assessment);
}

/// List a risk's assessments
///
/// Every year's assessment of the risk, oldest first.
#[utoipa::path(
    tag = "risks",
    params(("risk_id" = i32, Path, description = "Identifier of the risk.", example = 1)),
    responses((status = 200, description = "The assessments.", body = Vec<Assessment>))
)]
#[get("/risks/{risk_id}/assessments")]
pub async fn list_risk_assessments(
    db: web::Data<Database>,
    risk_id: web::Path<i32>,
) -> Result<web::Json<Vec<Assessment>>, ApiError> {
    let risk_id = risk_id.into_inner();
    Ok(web::Json(
        db.run(move |conn| repo::list(conn, risk_id)).await?,
    ))
}

/// Get a risk's assessment of a year
///
/// The assessment with its derived score and level.
#[utoipa::path(
    tag = "risks",
    params(
        ("risk_id" = i32, Path, description = "Identifier of the risk.", example = 1),
        ("year" = i32, Path, description = "The year.", example = 2022, minimum = 2000, maximum = 2100)
    ),
    responses(
        (status = 200, description = "The assessment.", body = Assessment)
    )
)]
#[get("/risks/{risk_id}/assessments/{year}")]
pub async fn get_risk_assessment(
    db: web::Data<Database>,
    path: web::Path<(i32, i32)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (risk_id, year) = path.into_inner();
    respond::read(&db, &req, move |conn| repo::find(conn, risk_id, year)).await
}

/// Set a risk's assessment of a year
///
/// Creates (201) or replaces (200) the assessment of the year. Score and level are derived
/// from likelihood and impact. With `If-Match`, a replacement is refused (412) when the
/// assessment changed meanwhile.
#[utoipa::path(
    tag = "risks",
    params(
        ("risk_id" = i32, Path, description = "Identifier of the risk.", example = 1),
        ("year" = i32, Path, description = "The year, 2000 to 2100.", example = 2022, minimum = 2000, maximum = 2100)
    ),
    request_body(content = AssessmentInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The assessment was replaced.", body = Assessment),
        (status = 201, description = "The assessment was created.", body = Assessment)
    )
)]
#[put("/risks/{risk_id}/assessments/{year}")]
pub async fn put_risk_assessment(
    db: web::Data<Database>,
    principal: Principal,
    path: web::Path<(i32, i32)>,
    body: Json<AssessmentInput>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (risk_id, year) = path.into_inner();
    check_year(year)?;
    let location = format!("/api/v1/risks/{risk_id}/assessments/{year}");
    respond::put(
        &db,
        &req,
        body.0,
        location,
        move |conn, input, precondition| {
            repo::put(conn, &principal, risk_id, year, input, precondition)
        },
    )
    .await
}

/// Delete a risk's assessment of a year
///
/// Removes the assessment of the year; the risk and its other years stay.
#[utoipa::path(
    tag = "risks",
    params(
        ("risk_id" = i32, Path, description = "Identifier of the risk.", example = 1),
        ("year" = i32, Path, description = "The year.", example = 2022, minimum = 2000, maximum = 2100)
    ),
    responses((status = 204, description = "The assessment was deleted."))
)]
#[delete("/risks/{risk_id}/assessments/{year}")]
pub async fn delete_risk_assessment(
    db: web::Data<Database>,
    principal: Principal,
    path: web::Path<(i32, i32)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (risk_id, year) = path.into_inner();
    respond::remove(&db, &req, move |conn, precondition| {
        repo::delete(conn, &principal, risk_id, year, precondition)
    })
    .await
}

/// Review a risk's assessment of a year
///
/// Approves the submitted assessment, or returns it to its department with a note (it then
/// appears on the department's worklist as `returned` until it is written again, which
/// submits it anew). Nobody reviews a row they submitted themselves (403, for admins too;
/// the database refuses it as well). Only a submitted row is reviewed (409). With
/// `If-Match`, the review is refused (412) when the row changed meanwhile. Every review is
/// an audit event. Reviewer or admin.
#[utoipa::path(
    tag = "risks",
    params(
        ("risk_id" = i32, Path, description = "Identifier of the risk.", example = 1),
        ("year" = i32, Path, description = "The year.", example = 2023, minimum = 2000, maximum = 2100)
    ),
    request_body(content = ReviewInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The reviewed assessment.", body = Assessment),
        (status = 403, description = "The caller submitted this assessment.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The assessment is not waiting for review.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/risks/{risk_id}/assessments/{year}/review")]
pub async fn review_risk_assessment(
    db: web::Data<Database>,
    principal: Principal,
    path: web::Path<(i32, i32)>,
    body: Json<ReviewInput>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (risk_id, year) = path.into_inner();
    respond::change(&db, &req, body.0, move |conn, input, precondition| {
        repo::review(conn, &principal, risk_id, year, &input, precondition)
    })
    .await
}
