//! Successful reads kept in memory until the data changes: the same URL answers from memory,
//! without a database round trip, while the data generation is unchanged (see `changes`).
//!
//! Every read answers the same to every caller allowed to make it (authorisation is checked
//! before, outside this layer), so a response is keyed by its path and query alone. The
//! token list, the audit trail, the webhooks and the exports are not kept: they change
//! without a data generation or are too large. Neither is a response that names a `Vary` header: a document
//! whose format the `Accept` header chose, or a worklist that shows an editor its own
//! departments.

use actix_web::body::{self, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::HttpResponse;

use crate::api::kept::{Kept, Weighed};
use crate::db::Database;

/// Bytes of kept responses at most; the least recently used go first.
const CAPACITY: usize = 16 * 1024 * 1024;
/// A larger response is not kept.
const LARGEST: usize = 1024 * 1024;

#[derive(Clone)]
struct Response {
    content_type: HeaderValue,
    etag: Option<HeaderValue>,
    body: Bytes,
}

impl Weighed for Response {
    fn bytes(&self) -> usize {
        self.body.len()
    }
}

/// The kept responses of the process, by path and query, under the data generation they
/// were read in.
pub struct ResponseCache(Kept<String, u64, Response>);

impl Default for ResponseCache {
    fn default() -> Self {
        Self(Kept::new(CAPACITY, LARGEST))
    }
}

/// Whether responses of `path` may be kept.
fn keepable(path: &str) -> bool {
    path.starts_with("/api/v1/")
        && !path.starts_with("/api/v1/tokens")
        && !path.starts_with("/api/v1/audit-events")
        && !path.starts_with("/api/v1/webhooks")
        && !path.starts_with("/api/v1/exports")
        && !path.ends_with("/history")
}

fn matches(if_none_match: Option<&HeaderValue>, etag: Option<&HeaderValue>) -> bool {
    match (
        if_none_match.and_then(|v| v.to_str().ok()),
        etag.and_then(|v| v.to_str().ok()),
    ) {
        (Some(candidates), Some(etag)) => crate::api::etag::matches_any(candidates, etag),
        _ => false,
    }
}

/// Answers a kept read from memory, and keeps successful reads.
pub async fn serve(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let generation = req
        .app_data::<web::Data<Database>>()
        .and_then(|db| db.changes().data());
    let cache = req.app_data::<web::Data<ResponseCache>>().cloned();
    let (Some(generation), Some(cache), true, true) = (
        generation,
        cache,
        req.method() == Method::GET,
        keepable(req.path()),
    ) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let key = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_string(), ToString::to_string);

    if let Some(Response {
        content_type,
        etag,
        body,
    }) = cache.0.get(&key, &generation)
    {
        let response = if matches(req.headers().get(header::IF_NONE_MATCH), etag.as_ref()) {
            let mut response = HttpResponse::NotModified();
            if let Some(etag) = etag {
                response.insert_header((header::ETAG, etag));
            }
            response.finish()
        } else {
            let mut response = HttpResponse::Ok();
            response.insert_header((header::CONTENT_TYPE, content_type));
            if let Some(etag) = etag {
                response.insert_header((header::ETAG, etag));
            }
            response.body(body)
        };
        return Ok(req.into_response(response).map_into_right_body());
    }

    let res = next.call(req).await?;
    let small = matches!(
        res.response().body().size(),
        body::BodySize::Sized(n) if n <= LARGEST as u64
    );
    // a response that varies with a request header is not the same for every request of the URL
    let varies = res.headers().contains_key(header::VARY);
    if res.status() != StatusCode::OK || !small || varies {
        return Ok(res.map_into_left_body());
    }
    let content_type = res.headers().get(header::CONTENT_TYPE).cloned();
    let etag = res.headers().get(header::ETAG).cloned();
    let (request, response) = res.into_parts();
    let (head, payload) = response.into_parts();
    // a body of known, small size: reading it whole cannot fail on its size
    let bytes = body::to_bytes(payload)
        .await
        .map_err(|err| actix_web::error::ErrorInternalServerError(err.into().to_string()))?;
    if let Some(content_type) = content_type {
        cache.0.put(
            key,
            generation,
            Response {
                content_type,
                etag,
                body: bytes.clone(),
            },
        );
    }
    let response = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(request, response).map_into_right_body())
}
