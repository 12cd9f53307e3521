//! Request body extractors: JSON documents (`application/json`) and JSON Merge Patch
//! (`application/merge-patch+json`, RFC 7386), with problem+json errors that name the field.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{self, BodyStream};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 256 * 1024;

/// How long a client may take to send a request body (`VOORTGANG_BODY_TIMEOUT_SECS`), in the
/// app data; 10 seconds when none is set.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub std::time::Duration);

impl Default for BodyTimeout {
    fn default() -> Self {
        Self(std::time::Duration::from_secs(10))
    }
}

pub const JSON: &str = "application/json";
pub const MERGE_PATCH_JSON: &str = "application/merge-patch+json";

/// A JSON request body (`application/json`).
#[derive(Debug)]
pub struct Json<T>(pub T);

/// A JSON Merge Patch request body (`application/merge-patch+json`).
///
/// `T` has an optional field per patchable member: an absent member is left alone, `null`
/// removes an optional value.
#[derive(Debug)]
pub struct MergePatch<T>(pub T);

/// The SHA-256 of the request body, kept for `Idempotency-Key` (same key, same body).
#[derive(Debug, Clone, Default)]
pub struct BodyDigest(pub Vec<u8>);

impl BodyDigest {
    /// The digest of the body this request's extractor read (empty when there was none).
    pub fn of(req: &HttpRequest) -> Vec<u8> {
        req.extensions()
            .get::<Self>()
            .map(|d| d.0.clone())
            .unwrap_or_default()
    }
}

type BodyFuture<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = BodyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = read_body(req, payload, JSON);
        Box::pin(async move { read.await.map(Json) })
    }
}

/// A JSON request body that may be left out: no body and no `Content-Type` reads as
/// `T::default()`; a body is read as [`Json`] reads it.
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = BodyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let no_length = headers
            .get(actix_web::http::header::CONTENT_LENGTH)
            .is_none_or(|length| length.as_bytes() == b"0");
        let no_type = headers.get(actix_web::http::header::CONTENT_TYPE).is_none();
        let chunked = headers.contains_key(actix_web::http::header::TRANSFER_ENCODING);
        if no_length && no_type && !chunked {
            return Box::pin(async { Ok(OptionalJson(T::default())) });
        }
        // `null` is no body too, as the contract's nullable schema says
        let read = read_body::<Option<T>>(req, payload, JSON);
        Box::pin(async move {
            read.await
                .map(|body| OptionalJson(body.unwrap_or_default()))
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for MergePatch<T> {
    type Error = ApiError;
    type Future = BodyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = read_body(req, payload, MERGE_PATCH_JSON);
        Box::pin(async move { read.await.map(MergePatch) })
    }
}

fn read_body<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: &mut Payload,
    media_type: &'static str,
) -> impl Future<Output = Result<T, ApiError>> {
    let read = read_bytes(req, payload, media_type, BODY_LIMIT);
    async move { parse(&read.await?) }
}

/// The body as bytes, of `media_type` and at most `limit` bytes, within the body timeout; its
/// digest is kept for `Idempotency-Key`.
fn read_bytes(
    req: &HttpRequest,
    payload: &mut Payload,
    media_type: &'static str,
    limit: usize,
) -> impl Future<Output = Result<actix_web::web::Bytes, ApiError>> {
    let content_type = req.mime_type().ok().flatten();
    let accepted = content_type
        .as_ref()
        .is_some_and(|mime| mime.essence_str() == media_type);
    let sent = content_type.map(|mime| mime.essence_str().to_string());
    let stream = BodyStream::new(payload.take());
    let req = req.clone();
    async move {
        if !accepted {
            return Err(ApiError::UnsupportedMediaType(match sent {
                Some(sent) => format!("expected Content-Type {media_type}, got {sent}"),
                None => format!("expected Content-Type {media_type}"),
            }));
        }
        let timeout = req
            .app_data::<actix_web::web::Data<BodyTimeout>>()
            .map_or_else(BodyTimeout::default, |t| *t.get_ref());
        let read = body::to_bytes_limited(stream, limit);
        let bytes = actix_web::rt::time::timeout(timeout.0, read)
            .await
            .map_err(|_| {
                ApiError::RequestTimeout(format!(
                    "the request body did not arrive within {} s",
                    timeout.0.as_secs()
                ))
            })?
            .map_err(|_| {
                ApiError::PayloadTooLarge(format!(
                    "the request body is larger than {} KiB",
                    limit / 1024
                ))
            })?
            .map_err(|e| {
                ApiError::BadRequest(format!("the request body could not be read: {e}"))
            })?;
        req.extensions_mut()
            .insert(BodyDigest(Sha256::digest(&bytes).to_vec()));
        Ok(bytes)
    }
}

/// An Excel workbook as the request body (`Content-Type` of `.xlsx`), at most
/// [`WORKBOOK_BYTES_MAX`](crate::api::limits::WORKBOOK_BYTES_MAX) bytes.
#[derive(Debug)]
pub struct WorkbookBody(pub Vec<u8>);

impl FromRequest for WorkbookBody {
    type Error = ApiError;
    type Future = BodyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = read_bytes(
            req,
            payload,
            crate::office::XLSX,
            crate::api::limits::WORKBOOK_BYTES_MAX,
        );
        Box::pin(async move { read.await.map(|bytes| WorkbookBody(bytes.to_vec())) })
    }
}

/// Parses JSON: a syntax error is 400, a well-formed document of the wrong shape 422 naming
/// the field. Every body of the API is an object: an array is refused, not read as the
/// object's members by position.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut document: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::BadRequest(format!(
            "the request body is not valid JSON: {}",
            without_position(&e.to_string())
        ))
    })?;
    if document.is_array() {
        return Err(ApiError::invalid(
            "body",
            "must be a JSON object with named members, not an array",
        ));
    }
    normalise(&mut document, String::new())
        .map_err(|path| ApiError::invalid(path, "must not contain the NUL character"))?;
    serde_path_to_error::deserialize(document).map_err(|err| {
        let path = err.path().to_string();
        let message = without_position(&err.into_inner().to_string());
        let field = named_field(&message)
            .map(|name| join_path(&path, &name))
            .unwrap_or_else(|| if path == "." { "body".into() } else { path });
        ApiError::invalid(field, message)
    })
}

/// Prepares a document for deserialising: finds the first string (or key) holding NUL, which
/// PostgreSQL text cannot store, and turns integral numbers written as decimals (`3.0`, an
/// integer to JSON Schema) into integers.
fn normalise(value: &mut serde_json::Value, path: String) -> Result<(), String> {
    use serde_json::Value;
    let at = |prefix: &str, key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::String(text) if text.contains('\0') => {
            Err(if path.is_empty() { "body".into() } else { path })
        }
        Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64()) {
                if float.fract() == 0.0 && float.abs() < 9.0e15 {
                    *value = Value::from(float as i64);
                }
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .try_for_each(|(i, item)| normalise(item, format!("{path}[{i}]"))),
        Value::Object(members) => members.iter_mut().try_for_each(|(key, member)| {
            if key.contains('\0') {
                Err(at(&path, &key.replace('\0', "\\u0000")))
            } else {
                normalise(member, at(&path, key))
            }
        }),
        _ => Ok(()),
    }
}

/// serde_json's messages end with the position; the field name says more to a client.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// The name in serde's "unknown field `x`, expected ..." and "missing field `x`" messages.
fn named_field(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("missing field `"))?;
    Some(rest[..rest.find('`')?].to_string())
}

fn join_path(path: &str, field: &str) -> String {
    // the path already ends in the unknown key for maps it entered
    match path {
        "." | "" => field.to_string(),
        p if p == field || p.ends_with(&format!(".{field}")) => p.to_string(),
        p => format!("{p}.{field}"),
    }
}

/// Deserialises a member that may be absent but not null: absent is `None`, `null` an error.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Deserialises a member that may be absent (`None`), null (`Some(None)`) or set.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        #[serde(default, deserialize_with = "nullable")]
        note: Option<Option<String>>,
        #[serde(default, deserialize_with = "present")]
        position: Option<i32>,
    }

    fn field_of(err: ApiError) -> String {
        match err {
            ApiError::Validation { errors, .. } => errors[0].field.clone(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn wrong_shapes_name_the_field() {
        assert_eq!(
            field_of(parse::<Sample>(br#"{"name": 1}"#).unwrap_err()),
            "name"
        );
        assert_eq!(
            field_of(parse::<Sample>(br#"{"name": "a", "colour": 1}"#).unwrap_err()),
            "colour"
        );
        assert_eq!(
            field_of(parse::<Sample>(br#"{"name": "a", "position": null}"#).unwrap_err()),
            "position"
        );
        assert_eq!(field_of(parse::<Sample>(b"{}").unwrap_err()), "name");
        assert_eq!(field_of(parse::<Sample>(b"[]").unwrap_err()), "body");
        assert!(matches!(
            parse::<Sample>(b"{\"name\": ").unwrap_err(),
            ApiError::BadRequest(_)
        ));
        assert!(matches!(
            parse::<Sample>(br#"{"name": "a"} x"#).unwrap_err(),
            ApiError::BadRequest(_)
        ));
    }

    #[test]
    fn null_and_absent_differ_for_nullable_members() {
        let absent: Sample = parse(br#"{"name": "a"}"#).unwrap();
        assert_eq!(absent.note, None);
        let null: Sample = parse(br#"{"name": "a", "note": null}"#).unwrap();
        assert_eq!(null.note, Some(None));
    }
}
