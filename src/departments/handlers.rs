//! HTTP handlers of `/api/v1/departments`.

use actix_web::{post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{Department, DepartmentPatch, NewDepartment};
use super::repo;
use crate::api::respond;
use crate::api::Json;
use crate::auth::Principal;
use crate::db::Database;
use crate::error::{ApiError, Problem};

pub fn routes(cfg: &mut ServiceConfig) {
    item_routes(cfg);
    cfg.service(create_department);
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

crate::api::handlers::item_handlers! {
    tag: "departments",
    key: String, ("id", "Slug of the department.", "financien"),
    path: "/departments/{id}",
    row: Department,
    noun: "department",
    routes: item_routes,
    list: {
        /// List the departments
        ///
        /// The departments (diensten), ordered by id.
        list_departments at "/departments" => repo::list, repo::key,
        page: "A page of departments."
    },
    get: {
        /// Get one department
        ///
        /// The department with its `ETag`.
        get_department => repo::find
    },
    update: {
        /// Rename a department
        ///
        /// JSON Merge Patch (RFC 7386) of the name. With `If-Match`, the change is refused (412) when
        /// the department changed meanwhile.
        update_department(DepartmentPatch) => repo::update,
        conflict: "The name is taken."
    },
    delete: {
        /// Delete a department
        ///
        /// Removes the department. A department that still owns risks or actions cannot be deleted (409).
        delete_department => repo::delete,
        conflict: "The department still owns risks or actions."
    },
}
