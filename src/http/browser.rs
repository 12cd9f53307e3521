//! What browsers need: CORS for the configured intranet origins, security headers on every
//! response, and `Cache-Control` that makes clients revalidate with the entity tags.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};

use crate::error::ApiError;

/// The origins allowed to call the API from a browser (`VOORTGANG_CORS_ORIGINS`): exact
/// matches only, never a wildcard.
#[derive(Debug, Clone, Default)]
pub struct CorsOrigins(pub Vec<String>);

impl CorsOrigins {
    fn allows(&self, origin: &str) -> bool {
        self.0.iter().any(|allowed| allowed == origin)
    }
}

const ALLOW_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE";
const ALLOW_HEADERS: &str =
    "Authorization, Content-Type, Accept, If-Match, If-None-Match, Idempotency-Key, X-Request-Id";
const EXPOSE_HEADERS: &str =
    "ETag, Location, Retry-After, X-Request-Id, Content-Disposition, WWW-Authenticate";

/// Lets Swagger UI and the report documents work (their scripts and styles are files of the
/// service; Swagger UI sets inline styles and uses data: images) and nothing else.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
     frame-ancestors 'none'";

/// Answers CORS preflights, and adds the CORS, security and caching headers to responses.
pub async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let origins = req
        .app_data::<web::Data<CorsOrigins>>()
        .cloned()
        .unwrap_or_else(|| web::Data::new(CorsOrigins::default()));
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let allowed = origin
        .as_deref()
        .filter(|o| origins.allows(o))
        .map(str::to_string);

    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let response = match &allowed {
            Some(origin) => HttpResponse::NoContent()
                .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.as_str()))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
                .insert_header((header::VARY, "Origin"))
                .finish(),
            None => actix_web::ResponseError::error_response(&ApiError::Forbidden(format!(
                "The origin {} may not call this API from a browser; VOORTGANG_CORS_ORIGINS lists the origins that may.",
                origin.as_deref().unwrap_or("(none)")
            ))),
        };
        let mut res = req.into_response(response).map_into_right_body();
        let status = res.status();
        secure(res.headers_mut(), &Method::OPTIONS, status);
        return Ok(res);
    }

    let method = req.method().clone();
    let mut res = next.call(req).await?.map_into_left_body();
    let status = res.status();
    let headers = res.headers_mut();
    if let Some(origin) = allowed {
        if let Ok(value) = HeaderValue::from_str(&origin) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(EXPOSE_HEADERS),
            );
        }
    }
    if !origins.0.is_empty() {
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    secure(headers, &method, status);
    Ok(res)
}

/// Security headers, and `Cache-Control` unless the response set its own: successful reads
/// may be kept but must be revalidated (`ETag` / `If-None-Match`), and only by the client
/// (they depend on the token); everything else is not stored.
fn secure(headers: &mut HeaderMap, method: &Method, status: StatusCode) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        let read = matches!(*method, Method::GET | Method::HEAD);
        let kept = read && (status.is_success() || status == StatusCode::NOT_MODIFIED);
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if kept {
                "private, no-cache"
            } else {
                "no-store"
            }),
        );
    }
}
