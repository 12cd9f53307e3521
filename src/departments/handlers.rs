//! HTTP handlers of `/api/v1/departments`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{Department, DepartmentPatch, NewDepartment};
use super::repo;
use crate::api::respond;
use crate::api::{Json, ListParams, MergePatch, Page, Query};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::{ApiError, Problem};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_departments)
        .service(create_department)
        .service(get_department)
        .service(update_department)
        .service(delete_department);
}

/// List the departments
///
/// The departments (diensten), ordered by id.
#[utoipa::path(
    tag = "departments",
    params(ListParams),
    responses((status = 200, description = "A page of departments.", body = Page<Department>))
)]
#[get("/departments")]
pub async fn list_departments(
    db: web::Data<Database>,
    Query(params): Query<ListParams>,
    req: HttpRequest,
) -> Result<Page<Department>, ApiError> {
    respond::list(&db, &req, params, repo::list, repo::key).await
}

/// Get one department
///
/// The department with its `ETag`.
#[utoipa::path(
    tag = "departments",
    params(("id" = String, Path, description = "Slug of the department.", example = "financien")),
    responses(
        (status = 200, description = "The department.", body = Department)
    )
)]
#[get("/departments/{id}")]
pub async fn get_department(
    db: web::Data<Database>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    respond::read(&db, &req, move |conn| repo::find(conn, &id)).await
}

/// Create a department
///
/// Adds a department; its slug is its permanent id.
#[utoipa::path(
    tag = "departments",
    request_body(content = NewDepartment, content_type = "application/json"),
    responses(
        (status = 201, description = "The department was created.", body = Department),
        (status = 409, description = "The id or the name is taken.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/departments")]
pub async fn create_department(
    db: web::Data<Database>,
    principal: Principal,
    body: Json<NewDepartment>,
) -> Result<HttpResponse, ApiError> {
    let location = |department: &Department| format!("/api/v1/departments/{}", department.id);
    respond::create(&db, body.0, location, move |conn, new| {
        repo::create(conn, &principal, new)
    })
    .await
}

/// Rename a department
///
/// JSON Merge Patch (RFC 7386) of the name. With `If-Match`, the change is refused (412) when
/// the department changed meanwhile.
#[utoipa::path(
    tag = "departments",
    params(("id" = String, Path, description = "Slug of the department.", example = "financien")),
    request_body(content = DepartmentPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed department.", body = Department),
        (status = 409, description = "The name is taken.", body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/departments/{id}")]
pub async fn update_department(
    db: web::Data<Database>,
    principal: Principal,
    id: web::Path<String>,
    body: MergePatch<DepartmentPatch>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    respond::change(&db, &req, body.0, move |conn, patch, precondition| {
        repo::update(conn, &principal, &id, patch, precondition)
    })
    .await
}

/// Delete a department
///
/// Removes the department. A department that still owns risks or actions cannot be deleted (409).
#[utoipa::path(
    tag = "departments",
    params(("id" = String, Path, description = "Slug of the department.", example = "financien")),
    responses(
        (status = 204, description = "The department was deleted."),
        (status = 409, description = "The department still owns risks or actions.", body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/departments/{id}")]
pub async fn delete_department(
    db: web::Data<Database>,
    principal: Principal,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    respond::remove(&db, &req, move |conn, precondition| {
        repo::delete(conn, &principal, &id, precondition)
    })
    .await
}
