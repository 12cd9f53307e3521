//! Entity tags on single resources: `ETag` on reads, `If-None-Match` (304) and
//! `If-Match` (412) on writes.

use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The strong entity tag of a representation: a hash of its JSON.
pub fn etag_of<T: Serialize>(value: &T) -> String {
    etag_of_bytes(&serde_json::to_vec(value).expect("representations serialise"))
}

/// 200 with the representation and its `ETag`, or 304 when `If-None-Match` already has it.
pub fn with_etag<T: Serialize>(req: &HttpRequest, value: &T) -> HttpResponse {
    let body = serde_json::to_vec(value).expect("representations serialise");
    let etag = etag_of_bytes(&body);
    with_rendered_etag(req, &etag, "application/json", body.into())
}

/// 200 with an already rendered body and its `ETag`, or 304 when `If-None-Match` has it.
pub fn with_rendered_etag(
    req: &HttpRequest,
    etag: &str,
    content_type: &str,
    body: actix_web::web::Bytes,
) -> HttpResponse {
    if let Some(candidates) = header_value(req.headers(), header::IF_NONE_MATCH) {
        if matches_any(&candidates, etag) {
            return HttpResponse::NotModified()
                .insert_header((header::ETAG, etag))
                .finish();
        }
    }
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .content_type(content_type)
        .body(body)
}

/// The strong entity tag of rendered bytes.
pub fn etag_of_bytes(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex = hex::encode(&digest[..16]);
    format!("\"{hex}\"")
}

/// The `If-Match` condition of a write, checked against the current representation.
#[derive(Debug, Clone, Default)]
pub struct Precondition {
    if_match: Option<String>,
}

/// Reads the `If-Match` header of a request.
pub fn if_match(req: &HttpRequest) -> Precondition {
    Precondition {
        if_match: header_value(req.headers(), header::IF_MATCH),
    }
}

impl Precondition {
    /// Fails with 412 when `If-Match` was sent and does not match `current`.
    pub fn check<T: Serialize>(&self, current: &T) -> Result<(), ApiError> {
        match &self.if_match {
            Some(candidates) if !matches_any(candidates, &etag_of(current)) => {
                Err(ApiError::PreconditionFailed)
            }
            _ => Ok(()),
        }
    }
}

impl Precondition {
    /// Like [`Precondition::check`] for a resource that may not exist yet (PUT): `If-Match`
    /// fails when there is nothing to match.
    pub fn check_optional<T: Serialize>(&self, current: Option<&T>) -> Result<(), ApiError> {
        match (current, &self.if_match) {
            (Some(current), _) => self.check(current),
            (None, Some(_)) => Err(ApiError::PreconditionFailed),
            (None, None) => Ok(()),
        }
    }
}

fn header_value(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}

/// Whether a comma-separated list of entity tags (or `*`) contains `etag`; weak tags compare
/// by their opaque part.
pub fn matches_any(candidates: &str, etag: &str) -> bool {
    candidates
        .split(',')
        .map(str::trim)
        .any(|c| c == "*" || c.trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_follow_the_content() {
        assert_eq!(etag_of(&"a"), etag_of(&"a"));
        assert_ne!(etag_of(&"a"), etag_of(&"b"));
        let tag = etag_of(&1);
        assert!(matches_any(&format!("\"x\", {tag}"), &tag));
        assert!(matches_any("*", &tag));
        assert!(matches_any(&format!("W/{tag}"), &tag));
        assert!(!matches_any("\"x\"", &tag));
    }
}
