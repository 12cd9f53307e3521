//! Authentication: resolves the request's credentials to a [`Principal`] and refuses what its
//! role may not do (401 without valid credentials, 403 with too few rights).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::{required_role, Principal, Role};
use crate::app::RouteTable;
use crate::db::Database;
use crate::error::ApiError;
use crate::tokens;

/// Authentication settings of the running service.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuthSettings {
    /// Anonymous clients may read (`VOORTGANG_PUBLIC_READ=true`).
    pub public_read: bool,
}

/// The token in `Authorization: Bearer <token>` or `Authorization: Basic` (any user name, the
/// token as password). Never from the query string.
fn presented_secret(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || ApiError::Unauthorized("The Authorization header is malformed.".into());
    let value = value.to_str().map_err(|_| malformed())?.trim();
    let (scheme, rest) = value.split_once(' ').ok_or_else(malformed)?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
        return Ok(Some(rest.to_string()));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = STANDARD.decode(rest).map_err(|_| malformed())?;
        let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
        let (_, password) = decoded.split_once(':').ok_or_else(malformed)?;
        if !password.is_empty() {
            return Ok(Some(password.to_string()));
        }
    }
    Err(ApiError::Unauthorized(
        "Authenticate with `Authorization: Bearer <token>` or Basic with the token as password."
            .into(),
    ))
}

pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let required = req
        .app_data::<web::Data<RouteTable>>()
        .and_then(|routes| routes.template(req.path(), req.method()))
        .and_then(|template| required_role(req.method(), template));
    let Some(required) = required else {
        return next.call(req).await;
    };
    let public_read = req
        .app_data::<web::Data<AuthSettings>>()
        .is_some_and(|settings| settings.public_read);
    let principal = match presented_secret(req.headers())? {
        None if required == Role::Reader && public_read => Principal::anonymous(),
        None => {
            return Err(ApiError::Unauthorized(
                "This operation needs a token: `Authorization: Bearer <token>`.".into(),
            )
            .into())
        }
        Some(secret) => {
            let db = req
                .app_data::<web::Data<Database>>()
                .ok_or_else(|| ApiError::internal("authentication", "no database"))?
                .clone();
            db.run(move |conn| tokens::repo::authenticate(conn, &secret))
                .await?
                .ok_or_else(|| {
                    ApiError::Unauthorized("The token is unknown, revoked or expired.".into())
                })?
        }
    };
    let allowed = match principal.role {
        Some(role) => role >= required,
        None => required == Role::Reader && public_read,
    };
    if !allowed {
        return Err(ApiError::Forbidden(format!(
            "The token `{}` may not do this: it needs the {} role.",
            principal.name,
            required.as_str()
        ))
        .into());
    }
    let request_id = request_id();
    req.extensions_mut().insert(Principal {
        request_id: Some(request_id.clone()),
        ..principal
    });
    let mut response = next.call(req).await?;
    if let Ok(value) = header::HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), value);
    }
    Ok(response)
}

/// A short random id naming a request in the log, the audit trail and the response.
fn request_id() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
