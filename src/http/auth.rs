//! Authentication: resolves the request's credentials to a [`Principal`] and refuses what its
//! role may not do (401 without valid credentials, 403 with too few rights).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::limits::{expensive, too_many, Held, Limits, Permit, Quota};
use super::request_id::{loggable, RequestId};
use super::RouteTable;
use crate::auth::{required_role, Principal, Role};
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
    let mut values = headers.get_all(header::AUTHORIZATION);
    let Some(value) = values.next() else {
        return Ok(None);
    };
    // which of several credentials would count is not for the service to guess
    if values.next().is_some() {
        return Err(ApiError::BadRequest(
            "Send one Authorization header; this request has several.".into(),
        ));
    }
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

/// How long a known token is trusted without asking the database again. Revocations and other
/// changes to tokens drop it at once (see `changes`); an expiry takes effect within this time.
const TOKEN_TTL: Duration = Duration::from_secs(60);
/// Tokens kept at most; when full, all are dropped.
const TOKENS_KEPT: usize = 10_000;

/// The principals of recently seen tokens, by the hash of their secret.
#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<Vec<u8>, (Principal, Instant, u64)>>,
}

impl TokenCache {
    fn get(&self, key: &[u8], generation: u64) -> Option<Principal> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (principal, at, kept_in) = entries.get(key)?;
        (*kept_in == generation && at.elapsed() < TOKEN_TTL).then(|| principal.clone())
    }

    /// Whether the token authenticated in this process before, however long ago: knowing its
    /// secret is what the failure limit is about, so such a token is never throttled by it.
    fn known(&self, key: &[u8]) -> bool {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.contains_key(key)
    }

    fn put(&self, key: Vec<u8>, generation: u64, principal: Principal) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= TOKENS_KEPT {
            entries.clear();
        }
        entries.insert(key, (principal, Instant::now(), generation));
    }
}

/// Who the request is from, when the operation needs a token (`None` when it needs none).
async fn principal_for(req: &ServiceRequest) -> Result<Option<Principal>, ApiError> {
    let required = req
        .app_data::<web::Data<RouteTable>>()
        .and_then(|routes| routes.template(req.path(), req.method()))
        .and_then(|template| required_role(req.method(), template));
    let Some(required) = required else {
        return Ok(None);
    };
    let public_read = req
        .app_data::<web::Data<AuthSettings>>()
        .is_some_and(|settings| settings.public_read);
    let principal = match presented_secret(req.headers())? {
        None if required == Role::Reader && public_read => Principal::anonymous(),
        None => {
            return Err(ApiError::Unauthorized(
                "This operation needs a token: `Authorization: Bearer <token>`.".into(),
            ))
        }
        Some(secret) => {
            let address = req.peer_addr().map(|a| a.ip());
            let limits = req.app_data::<web::Data<Limits>>().cloned();
            let db = req
                .app_data::<web::Data<Database>>()
                .ok_or_else(|| ApiError::internal("authentication", "no database"))?
                .clone();
            let cache = req.app_data::<web::Data<TokenCache>>().cloned();
            let generation = db.changes().tokens();
            let key = crate::auth::secret::hash(&secret);
            let kept = match (&cache, generation) {
                (Some(cache), Some(generation)) => cache.get(&key, generation),
                _ => None,
            };
            match kept {
                Some(principal) => principal,
                None => {
                    // an address that failed too often may not try more tokens; tokens it
                    // used successfully before are known and go on working
                    let known = cache.as_ref().is_some_and(|cache| cache.known(&key));
                    if let (Some(limits), Some(address), false) = (&limits, address, known) {
                        limits.failures.peek(&address).map_err(|wait| {
                            too_many("failed authentications from this address", wait)
                        })?;
                    }
                    let found = db
                        .run(move |conn| tokens::repo::authenticate(conn, &secret))
                        .await?;
                    let Some(found) = found else {
                        let from =
                            address.map_or_else(|| "an unknown address".into(), |a| a.to_string());
                        log::warn!(
                            "authentication failed from {from}: unknown, revoked or expired token on {}",
                            loggable(req.path())
                        );
                        if let (Some(limits), Some(address)) = (&limits, address) {
                            let _ = limits.failures.take(&address);
                        }
                        return Err(ApiError::Unauthorized(
                            "The token is unknown, revoked or expired.".into(),
                        ));
                    };
                    if let (Some(cache), Some(generation)) = (cache, generation) {
                        cache.put(key, generation, found.clone());
                    }
                    found
                }
            }
        }
    };
    let allowed = match principal.role {
        Some(role) => role >= required,
        None => required == Role::Reader && public_read,
    };
    if !allowed {
        log::warn!(
            "{} denied: {} {} needs the {} role",
            loggable(&principal.name),
            req.method(),
            loggable(req.path()),
            required.as_str()
        );
        return Err(ApiError::Forbidden(format!(
            "The token `{}` may not do this: it needs the {} role.",
            principal.name,
            required.as_str()
        )));
    }
    if let Some(limits) = req.app_data::<web::Data<Limits>>() {
        let taken = limits.requests.take(&client_key(req, &principal));
        let quota = match taken {
            Ok(quota) => quota,
            Err(wait) => Some(Quota::spent(limits.requests.per_minute(), wait)),
        };
        if let Some(quota) = quota {
            req.extensions_mut().insert(quota);
        }
        taken.map_err(|wait| too_many("requests for this token", wait))?;
    }
    Ok(Some(principal))
}

/// Whom the limits count a request against: its token, or the client address for an
/// anonymous read.
fn client_key(req: &ServiceRequest, principal: &Principal) -> String {
    match principal.role {
        Some(_) => format!("token:{}", principal.name),
        None => format!(
            "address:{}",
            req.peer_addr()
                .map_or_else(String::new, |a| a.ip().to_string())
        ),
    }
}

/// The permit an expensive request needs, `None` for any other; the 429 when the client keeps
/// as many in progress as it may.
async fn expensive_permit(
    req: &ServiceRequest,
    principal: &Principal,
) -> Result<Option<Permit>, ApiError> {
    let (Some(limits), Some(routes)) = (
        req.app_data::<web::Data<Limits>>(),
        req.app_data::<web::Data<RouteTable>>(),
    ) else {
        return Ok(None);
    };
    let Some(template) = routes.template(req.path(), req.method()) else {
        return Ok(None);
    };
    if !expensive(req.method(), template, req.query_string()) {
        return Ok(None);
    }
    let key = client_key(req, principal);
    limits.expensive.acquire(&key).await.map(Some)
}

/// Authenticates and authorises the request; a refusal is answered here, as a response (so
/// the outer middleware still adds its headers to it).
pub async fn authenticate<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<EitherBody<B, Held>>>, actix_web::Error> {
    let checked = match principal_for(&req).await {
        Ok(Some(principal)) => expensive_permit(&req, &principal)
            .await
            .map(|permit| (Some(principal), permit)),
        Ok(None) => Ok((None, None)),
        Err(err) => Err(err),
    };
    let quota = req.extensions().get::<Quota>().copied();
    let (principal, permit) = match checked {
        Ok(checked) => checked,
        Err(err) => {
            let mut response = actix_web::ResponseError::error_response(&err);
            if let Some(quota) = quota {
                quota.state(response.headers_mut());
            }
            return Ok(req.into_response(response).map_into_right_body());
        }
    };
    if let Some(principal) = principal {
        let request_id = RequestId::of(req.request());
        req.extensions_mut().insert(Principal {
            request_id,
            ..principal
        });
    }
    let mut response = next.call(req).await?;
    if let Some(quota) = quota {
        quota.state(response.headers_mut());
    }
    Ok(match permit {
        None => response.map_into_left_body().map_into_left_body(),
        Some(permit) => response
            .map_body(|_, body| EitherBody::right(Held::new(BoxBody::new(body), permit)))
            .map_into_left_body(),
    })
}
