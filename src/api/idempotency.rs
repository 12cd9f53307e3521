//! `Idempotency-Key` on POST creates: the first response is kept for 24 hours per token and
//! key, and a retry with the same key and body gets it again without a second write. The same
//! key with another body is 422; a retry while the first request still runs is 409.

use actix_web::http::header::{self, HeaderMap};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use serde::Serialize;

use crate::api::etag::etag_of;
use crate::auth::Principal;
use crate::db::schema::idempotency_keys;
use crate::error::ApiError;

/// The header a client sends.
pub const HEADER: &str = "Idempotency-Key";

/// A response as it was first given.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: u16,
    pub location: Option<String>,
    pub body: serde_json::Value,
}

impl Stored {
    /// A stored answer from a value: 201 with `Location` when `location` is given, else 200.
    pub fn of<T: Serialize>(value: &T, location: Option<String>) -> Result<Self, ApiError> {
        let body = serde_json::to_value(value).map_err(|e| ApiError::internal("response", e))?;
        let status = if location.is_some() { 201 } else { 200 };
        Ok(Self {
            status,
            location,
            body,
        })
    }

    /// The HTTP response, with `ETag` and, for a create, `Location`.
    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let mut response = HttpResponse::build(status);
        if let Some(location) = &self.location {
            response.insert_header((header::LOCATION, location.clone()));
        }
        response
            .insert_header((header::ETAG, etag_of(&self.body)))
            .json(&self.body)
    }
}

/// The key a request carries, checked: 1 to 255 visible ASCII characters.
pub fn key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "{HEADER} must be 1 to 255 visible ASCII characters"
            ))
        })?;
    Ok(Some(key.to_string()))
}

/// What an earlier request with the same key left.
#[derive(Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
struct Earlier {
    operation: String,
    request_hash: Vec<u8>,
    status: i32,
    location: Option<String>,
    body: serde_json::Value,
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Runs `write` once per key: inside the caller's transaction, stores its answer with the
/// write, or gives back the answer stored by an earlier request with the same key.
pub fn once(
    conn: &mut PgConnection,
    principal: &Principal,
    key: Option<&str>,
    operation: &str,
    request_hash: &[u8],
    write: impl FnOnce(&mut PgConnection) -> Result<Stored, ApiError>,
) -> Result<Stored, ApiError> {
    let Some(key) = key else {
        return write(conn);
    };
    let lock = diesel::sql_query(
        "SELECT pg_try_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0)) AS locked",
    )
    .bind::<Text, _>(&principal.name)
    .bind::<Text, _>(key)
    .get_result::<Locked>(conn)?;
    if !lock.locked {
        return Err(ApiError::Conflict(format!(
            "A request with {HEADER} `{key}` is still running; retry when it has finished."
        )));
    }
    let expired = chrono::Utc::now() - chrono::Duration::hours(24);
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(expired)))
        .execute(conn)?;
    let earlier = idempotency_keys::table
        .find((&principal.name, key))
        .select(Earlier::as_select())
        .first(conn)
        .optional()?;
    if let Some(earlier) = earlier {
        if earlier.operation != operation || earlier.request_hash != request_hash {
            return Err(ApiError::invalid(
                HEADER,
                "was used for another request; use a new key for a new request",
            ));
        }
        return Ok(Stored {
            status: u16::try_from(earlier.status).unwrap_or(200),
            location: earlier.location,
            body: earlier.body,
        });
    }
    let stored = write(conn)?;
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::actor.eq(&principal.name),
            idempotency_keys::key.eq(key),
            idempotency_keys::operation.eq(operation),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::status.eq(i32::from(stored.status)),
            idempotency_keys::location.eq(&stored.location),
            idempotency_keys::body.eq(&stored.body),
        ))
        .execute(conn)?;
    Ok(stored)
}
