//! HTTP handlers of `/api/v1/actions/{action_id}/statuses`.

use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{ActionStatus, StatusInput};
use super::repo;
use crate::api::respond;
use crate::api::{check_year, Json};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::{ApiError, Problem};
use crate::years::ReviewInput;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_action_statuses)
        .service(get_action_status)
        .service(put_action_status)
        .service(delete_action_status)
        .service(review_action_status);
}

/// List an action's statuses
///
/// Every year's status of the action, oldest first.
#[utoipa::path(
    tag = "actions",
    params(("action_id" = i32, Path, description = "Identifier of the action.", example = 1)),
    responses((status = 200, description = "The statuses.", body = Vec<ActionStatus>))
)]
#[get("/actions/{action_id}/statuses")]
pub async fn list_action_statuses(
    db: web::Data<Database>,
    action_id: web::Path<i32>,
) -> Result<web::Json<Vec<ActionStatus>>, ApiError> {
    let action_id = action_id.into_inner();
    Ok(web::Json(
        db.run(move |conn| repo::list(conn, action_id)).await?,
    ))
}

/// Get an action's status of a year
///
/// What the report of that year says of the action.
#[utoipa::path(
    tag = "actions",
    params(
        ("action_id" = i32, Path, description = "Identifier of the action.", example = 1),
        ("year" = i32, Path, description = "The year.", example = 2022, minimum = 2000, maximum = 2100)
    ),
    responses(
        (status = 200, description = "The status.", body = ActionStatus)
    )
)]
#[get("/actions/{action_id}/statuses/{year}")]
pub async fn get_action_status(
    db: web::Data<Database>,
    path: web::Path<(i32, i32)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (action_id, year) = path.into_inner();
    respond::read(&db, &req, move |conn| repo::find(conn, action_id, year)).await
}

/// Set an action's status of a year
///
/// Creates (201) or replaces (200) the status of the year. Running the same PUT again changes
/// nothing, so department scripts can re-run safely. With `If-Match`, a replacement is refused
/// (412) when the status changed meanwhile.
#[utoipa::path(
    tag = "actions",
    params(
        ("action_id" = i32, Path, description = "Identifier of the action.", example = 1),
        ("year" = i32, Path, description = "The year, 2000 to 2100.", example = 2022, minimum = 2000, maximum = 2100)
    ),
    request_body(content = StatusInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The status was replaced.", body = ActionStatus),
        (status = 201, description = "The status was created.", body = ActionStatus)
    )
)]
#[put("/actions/{action_id}/statuses/{year}")]
pub async fn put_action_status(
    db: web::Data<Database>,
    principal: Principal,
    path: web::Path<(i32, i32)>,
    body: Json<StatusInput>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (action_id, year) = path.into_inner();
    check_year(year)?;
    let location = format!("/api/v1/actions/{action_id}/statuses/{year}");
    respond::put(
        &db,
        &req,
        body.0,
        location,
        move |conn, input, precondition| {
            repo::put(conn, &principal, action_id, year, input, precondition)
        },
    )
    .await
}

/// Delete an action's status of a year
///
/// Removes the status of the year; the action and its other years stay.
#[utoipa::path(
    tag = "actions",
    params(
        ("action_id" = i32, Path, description = "Identifier of the action.", example = 1),
        ("year" = i32, Path, description = "The year.", example = 2022, minimum = 2000, maximum = 2100)
    ),
    responses((status = 204, description = "The status was deleted."))
)]
#[delete("/actions/{action_id}/statuses/{year}")]
pub async fn delete_action_status(
    db: web::Data<Database>,
    principal: Principal,
    path: web::Path<(i32, i32)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (action_id, year) = path.into_inner();
    respond::remove(&db, &req, move |conn, precondition| {
        repo::delete(conn, &principal, action_id, year, precondition)
    })
    .await
}

/// Review an action's status of a year
///
/// Approves the submitted status, or returns it to its department with a note (it then
/// appears on the department's worklist as `returned` until it is written again, which
/// submits it anew). Nobody reviews a row they submitted themselves (403, for admins too;
/// the database refuses it as well). Only a submitted row is reviewed (409). With
/// `If-Match`, the review is refused (412) when the row changed meanwhile. Every review is
/// an audit event. Reviewer or admin.
#[utoipa::path(
    tag = "actions",
    params(
        ("action_id" = i32, Path, description = "Identifier of the action.", example = 1),
        ("year" = i32, Path, description = "The year.", example = 2023, minimum = 2000, maximum = 2100)
    ),
    request_body(content = ReviewInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The reviewed status.", body = ActionStatus),
        (status = 403, description = "The caller submitted this status.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The status is not waiting for review.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/actions/{action_id}/statuses/{year}/review")]
pub async fn review_action_status(
    db: web::Data<Database>,
    principal: Principal,
    path: web::Path<(i32, i32)>,
    body: Json<ReviewInput>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (action_id, year) = path.into_inner();
    respond::change(&db, &req, body.0, move |conn, input, precondition| {
        repo::review(conn, &principal, action_id, year, &input, precondition)
    })
    .await
}
