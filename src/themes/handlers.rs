//! HTTP handlers of `/api/v1/themes`.

use actix_web::{get, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::Theme;
use super::repo;
use crate::api::respond;
use crate::api::{ListParams, Page, Query};
use crate::db::Database;
use crate::error::ApiError;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_themes).service(get_theme);
}

/// List the Leidraad themes
///
/// The eleven themes of Audit Vlaanderen's Leidraad organisatiebeheersing, 0 to 10. They are
/// fixed by the Leidraad and cannot be changed through the API.
#[utoipa::path(
    tag = "themes",
    params(ListParams),
    responses((status = 200, description = "A page of themes.", body = Page<Theme>))
)]
#[get("/themes")]
pub async fn list_themes(
    db: web::Data<Database>,
    Query(params): Query<ListParams>,
    req: HttpRequest,
) -> Result<Page<Theme>, ApiError> {
    respond::list(&db, &req, params, repo::list, repo::key).await
}

/// Get one Leidraad theme
///
/// The theme with the given code (case-insensitive).
#[utoipa::path(
    tag = "themes",
    params(("code" = String, Path, description = "Code of the theme.", example = "CUL")),
    responses(
        (status = 200, description = "The theme.", body = Theme)
    )
)]
#[get("/themes/{code}")]
pub async fn get_theme(
    db: web::Data<Database>,
    code: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    respond::read(&db, &req, move |conn| repo::find(conn, &code)).await
}
