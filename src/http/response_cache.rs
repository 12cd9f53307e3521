//! Successful reads kept in memory until the data changes: the same URL answers from memory,
//! without a database round trip, while the data generation is unchanged (see `changes`).
//!
//! Every read answers the same to every caller allowed to make it (authorisation is checked
//! before, outside this layer), so a response is keyed by its path and query alone. The
//! token list, the audit trail, the webhooks and the exports are not kept: they change
//! without a data generation or are too large. Neither is a response that names a `Vary` header: a document
//! whose format the `Accept` header chose, or a worklist that shows an editor its own
//! departments.

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::body::{self, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::HttpResponse;

use crate::db::Database;

/// Bytes of kept responses at most; the least recently used go first.
const CAPACITY: usize = 16 * 1024 * 1024;
/// A larger response is not kept.
const LARGEST: usize = 1024 * 1024;

struct Kept {
    generation: u64,
    content_type: HeaderValue,
    etag: Option<HeaderValue>,
    body: Bytes,
    used: u64,
}

#[derive(Default)]
struct Entries {
    by_key: HashMap<String, Kept>,
    bytes: usize,
    clock: u64,
}

/// The kept responses of the process.
#[derive(Default)]
pub struct ResponseCache {
    entries: Mutex<Entries>,
}

impl ResponseCache {
    fn get(&self, key: &str, generation: u64) -> Option<(HeaderValue, Option<HeaderValue>, Bytes)> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.clock += 1;
        let clock = entries.clock;
        let kept = entries.by_key.get_mut(key)?;
        if kept.generation != generation {
            return None;
        }
        kept.used = clock;
        Some((
            kept.content_type.clone(),
            kept.etag.clone(),
            kept.body.clone(),
        ))
    }

    fn put(&self, key: String, kept: Kept) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // entries of an older generation are of no use any more
        if entries
            .by_key
            .values()
            .next()
            .is_some_and(|k| k.generation != kept.generation)
        {
            entries.by_key.clear();
            entries.bytes = 0;
        }
        if let Some(old) = entries.by_key.remove(&key) {
            entries.bytes -= old.body.len();
        }
        while entries.bytes + kept.body.len() > CAPACITY {
            let Some(oldest) = entries
                .by_key
                .iter()
                .min_by_key(|(_, k)| k.used)
                .map(|(key, _)| key.clone())
            else {
                break;
            };
            if let Some(old) = entries.by_key.remove(&oldest) {
                entries.bytes -= old.body.len();
            }
        }
        entries.clock += 1;
        let used = entries.clock;
        entries.bytes += kept.body.len();
        entries.by_key.insert(key, Kept { used, ..kept });
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

    if let Some((content_type, etag, body)) = cache.get(&key, generation) {
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
        cache.put(
            key,
            Kept {
                generation,
                content_type,
                etag,
                body: bytes.clone(),
                used: 0,
            },
        );
    }
    let response = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(request, response).map_into_right_body())
}
