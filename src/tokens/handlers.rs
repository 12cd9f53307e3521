//! HTTP handlers of `/api/v1/tokens` (admins only).

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::dto::{CreatedToken, NewToken, Token};
use super::repo;
use crate::api::respond;
use crate::api::{self, Json, ListParams, Page, Query};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::{ApiError, Problem};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_tokens)
        .service(create_token)
        .service(get_token)
        .service(revoke_token);
}

/// List API tokens
///
/// Every token, revoked ones included, without secrets.
#[utoipa::path(
    tag = "tokens",
    params(ListParams),
    responses((status = 200, description = "A page of tokens.", body = Page<Token>))
)]
#[get("/tokens")]
pub async fn list_tokens(
    db: web::Data<Database>,
    Query(params): Query<ListParams>,
    req: HttpRequest,
) -> Result<Page<Token>, ApiError> {
    respond::list(&db, &req, params, repo::list, repo::key).await
}

/// Get one API token
///
/// The token without its secret.
#[utoipa::path(
    tag = "tokens",
    params(("id" = i32, Path, description = "Identifier of the token.", example = 3)),
    responses(
        (status = 200, description = "The token.", body = Token)
    )
)]
#[get("/tokens/{id}")]
pub async fn get_token(
    db: web::Data<Database>,
    id: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    respond::read(&db, &req, move |conn| repo::find(conn, id)).await
}

/// Create an API token
///
/// Creates a token and answers its secret, once: only a SHA-256 hash is kept. Editors need
/// the departments they may change.
#[utoipa::path(
    tag = "tokens",
    request_body(content = NewToken, content_type = "application/json"),
    responses(
        (status = 201, description = "The token was created; the answer holds its secret.", body = CreatedToken),
        (status = 409, description = "The name is taken.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/tokens")]
pub async fn create_token(
    db: web::Data<Database>,
    principal: Principal,
    body: Json<NewToken>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0;
    new.validate()?;
    let (token, secret) = db
        .transaction(move |conn| repo::create(conn, &principal, new))
        .await?;
    let location = format!("/api/v1/tokens/{}", token.id);
    Ok(api::created(location, &CreatedToken { token, secret }))
}

/// Revoke an API token
///
/// The token stops working at once; it stays listed with its `revoked_at`. A token cannot
/// revoke itself (409), so an admin cannot lock themselves out.
#[utoipa::path(
    tag = "tokens",
    params(("id" = i32, Path, description = "Identifier of the token.", example = 3)),
    responses(
        (status = 200, description = "The revoked token.", body = Token),
        (status = 409, description = "The token would revoke itself.", body = Problem,
            content_type = "application/problem+json")
    )
)]
#[delete("/tokens/{id}")]
pub async fn revoke_token(
    db: web::Data<Database>,
    principal: Principal,
    id: web::Path<i32>,
) -> Result<web::Json<Token>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        db.transaction(move |conn| repo::revoke(conn, &principal, id))
            .await?,
    ))
}
