//! HTTP handlers of `/api/v1/tokens` (admins only).

use actix_web::{delete, post, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::dto::{CreatedToken, NewToken, Token};
use super::repo;
use crate::api::{self, Json};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::{ApiError, Problem};

pub fn routes(cfg: &mut ServiceConfig) {
    item_routes(cfg);
    cfg.service(create_token).service(revoke_token);
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

crate::api::handlers::item_handlers! {
    tag: "tokens",
    key: i32, ("id", "Identifier of the token.", 3),
    path: "/tokens/{id}",
    row: Token,
    noun: "token",
    routes: item_routes,
    list: {
        /// List API tokens
        ///
        /// Every token, revoked ones included, without secrets.
        list_tokens at "/tokens" => repo::list, repo::key,
        page: "A page of tokens."
    },
    get: {
        /// Get one API token
        ///
        /// The token without its secret.
        get_token => repo::find
    },
}
