//! The list envelope shared by every collection, with opaque keyset cursors.

use actix_web::body::BoxBody;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, Responder, ResponseError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

use super::limits::{self, PAGE_DEFAULT, PAGE_MAX};

/// Checks a requested page size against the bounds of every list.
pub fn limit(requested: Option<i64>) -> Result<i64, ApiError> {
    limit_within(requested, PAGE_DEFAULT, PAGE_MAX)
}

/// Checks a requested page size against `1..=max`; `default` when none is asked for.
pub fn limit_within(requested: Option<i64>, default: i64, max: i64) -> Result<i64, ApiError> {
    match requested {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::BadRequest(format!(
            "limit must be from 1 to {max}, got {n}"
        ))),
    }
}

/// Cuts up to `limit + 1` rows to a page, with the key of its last row when more follow (the
/// extra row only tells that they do): how every list pages.
pub fn split<R, K>(mut rows: Vec<R>, limit: i64, key: impl Fn(&R) -> K) -> (Vec<R>, Option<K>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let next = rows.last().map(key);
    (rows, next)
}

/// Paging parameters every list accepts.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// How many items to return, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000, example = 50)]
    pub limit: Option<i64>,
    /// Where to continue: the `next_cursor` of the previous page, passed back unchanged.
    pub cursor: Option<String>,
}

impl ListParams {
    /// The requested page size, checked against the bounds.
    pub fn limit(&self) -> Result<i64, ApiError> {
        limit(self.limit)
    }

    /// The sort key after which the page starts, if a cursor was given.
    pub fn after<K: DeserializeOwned>(&self) -> Result<Option<K>, ApiError> {
        self.cursor.as_deref().map(Cursor::decode).transpose()
    }
}

/// Encodes and decodes the opaque keyset cursors.
pub struct Cursor;

impl Cursor {
    pub fn encode<K: Serialize>(key: &K) -> String {
        let json = serde_json::to_vec(key).expect("sort keys serialise");
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode<K: DeserializeOwned>(cursor: &str) -> Result<K, ApiError> {
        let within = cursor.len() as u64 <= limits::CURSOR_MAX;
        within
            .then(|| URL_SAFE_NO_PAD.decode(cursor).ok())
            .flatten()
            // the service never hands out a key with NUL, which PostgreSQL text cannot hold
            .filter(|json| !json.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")))
            .and_then(|json| serde_json::from_slice(&json).ok())
            .ok_or_else(|| {
                ApiError::BadRequest(
                    "cursor is not valid: pass back the next_cursor of the previous page unchanged"
                        .into(),
                )
            })
    }
}

/// One page of a collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page, in the collection's stable order.
    pub items: Vec<T>,
    /// Cursor of the next page, or null on the last page. Pass it as `cursor` with the same base URL.
    #[schema(required = true, example = "WzIsImJlcmVpa2VuLWRvZWxzdGVsbGluZ2VuIl0")]
    pub next_cursor: Option<String>,
    /// Relative link to the next page (this request with `cursor` set), or null on the last page.
    #[schema(
        required = true,
        example = "/api/v1/domains?limit=2&cursor=WzIsImJlcmVpa2VuLWRvZWxzdGVsbGluZ2VuIl0"
    )]
    pub next: Option<String>,
}

/// Room a page's body starts with per item: enough for an action with its statuses, so that
/// the body of a full page is written without being moved to a larger buffer on the way.
const BYTES_PER_ITEM: usize = 1024;

/// A page answers as JSON.
impl<T: Serialize> Responder for Page<T> {
    type Body = BoxBody;

    fn respond_to(self, _req: &HttpRequest) -> HttpResponse {
        let mut body = Vec::with_capacity(256 + self.items.len() * BYTES_PER_ITEM);
        match serde_json::to_writer(&mut body, &self) {
            // the body's bytes keep their buffer (also in the response cache, which weighs a
            // body by its length): room a page of small items did not use is given back
            Ok(()) => HttpResponse::Ok().content_type(ContentType::json()).body({
                body.shrink_to_fit();
                body
            }),
            Err(err) => ApiError::internal("page", err).error_response(),
        }
    }
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows (see [`split`]).
    pub fn new<K: Serialize>(
        rows: Vec<T>,
        limit: i64,
        key: impl Fn(&T) -> K,
        req: &HttpRequest,
    ) -> Self {
        let (items, next) = split(rows, limit, key);
        Self::with_next(items, next, req)
    }

    /// Builds a page whose continuation the caller already knows: `next` is the sort key of
    /// the last item when more follow.
    pub fn with_next<K: Serialize>(items: Vec<T>, next: Option<K>, req: &HttpRequest) -> Self {
        let next_cursor = next.map(|key| Cursor::encode(&key));
        let next = next_cursor.as_deref().map(|cursor| next_link(req, cursor));
        Self {
            items,
            next_cursor,
            next,
        }
    }
}

/// This request's path and query with `cursor` set: the `next` link of a page.
pub fn next_link(req: &HttpRequest, cursor: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if name != "cursor" {
            query.append_pair(&name, &value);
        }
    }
    query.append_pair("cursor", cursor);
    format!("{}?{}", req.path(), query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor::encode(&(3, "betrouwbare-informatie"));
        let key: (i32, String) = Cursor::decode(&cursor).unwrap();
        assert_eq!(key, (3, "betrouwbare-informatie".to_string()));
        assert!(Cursor::decode::<(i32, String)>("not a cursor!").is_err());
        assert!(Cursor::decode::<(i32, String)>(&Cursor::encode(&"text")).is_err());
        assert!(Cursor::decode::<(i32, String)>(&Cursor::encode(&(1, "a\0b"))).is_err());
    }
}
