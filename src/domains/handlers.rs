//! HTTP handlers of `/api/v1/domains`.

use actix_web::{post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{Domain, DomainPatch, NewDomain};
use super::repo;
use crate::api::respond;
use crate::api::Json;
use crate::auth::Principal;
use crate::db::Database;
use crate::error::{ApiError, Problem};

pub fn routes(cfg: &mut ServiceConfig) {
    item_routes(cfg);
    cfg.service(create_domain);
}

/// Create a control domain
///
/// Adds a domain at `position` (last when absent); the domains after it move down one place.
#[utoipa::path(
    tag = "domains",
    request_body(content = NewDomain, content_type = "application/json"),
    responses(
        (status = 201, description = "The domain was created.", body = Domain),
        (status = 409, description = "The id or the name is taken.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/domains")]
pub async fn create_domain(
    db: web::Data<Database>,
    principal: Principal,
    body: Json<NewDomain>,
) -> Result<HttpResponse, ApiError> {
    let location = |domain: &Domain| format!("/api/v1/domains/{}", domain.id);
    respond::create(&db, body.0, location, move |conn, new| {
        repo::create(conn, &principal, new)
    })
    .await
}

crate::api::handlers::item_handlers! {
    tag: "domains",
    key: String, ("id", "Slug of the domain.", "organisatiecultuur"),
    path: "/domains/{id}",
    row: Domain,
    noun: "domain",
    routes: item_routes,
    list: {
        /// List the control domains
        ///
        /// The domains in report order, each with its criteria ("Detail criterium") in order.
        list_domains at "/domains" => repo::list, repo::key,
        page: "A page of domains."
    },
    get: {
        /// Get one control domain
        ///
        /// The domain with its criteria. The `ETag` can be sent back as `If-Match` on a change or
        /// as `If-None-Match` to revalidate.
        get_domain => repo::find
    },
    update: {
        /// Change a control domain
        ///
        /// JSON Merge Patch (RFC 7386) of the name, description or position; moving a domain shifts
        /// the others. With `If-Match`, the change is refused (412) when the domain changed meanwhile.
        update_domain(DomainPatch) => repo::update,
        conflict: "The name is taken."
    },
    delete: {
        /// Delete a control domain
        ///
        /// Only an empty domain can be deleted: while it has criteria (or risks and actions) the
        /// request is refused with 409 rather than cascading. The domains after it move up one place.
        delete_domain => repo::delete,
        conflict: "The domain still has criteria, risks or actions."
    },
}
