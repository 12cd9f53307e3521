//! The answers handlers give, in one place: a handler parses its path and body, then hands
//! the database work to one of these, which run it (in a transaction when it writes) and
//! answer the way every resource does: `ETag` on what they return, `If-Match` checked on
//! changes, 201 with `Location` on a create, 204 on a delete.

use actix_web::{HttpRequest, HttpResponse};
use diesel::pg::PgConnection;
use serde::de::DeserializeOwned;
use serde::Serialize;
use validator::Validate;

use super::body::BodyDigest;
use super::etag::{if_match, with_etag, Precondition};
use super::idempotency::{self, Stored};
use super::page::{ListParams, Page};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::ApiError;

/// A page of a list in one natural order: `load` gets the key after which the page starts
/// (from the cursor) and how many rows to load, `key` gives a row's key for the next cursor.
pub async fn list<T, K, F>(
    db: &Database,
    req: &HttpRequest,
    params: ListParams,
    load: F,
    key: fn(&T) -> K,
) -> Result<Page<T>, ApiError>
where
    T: Send + 'static,
    K: Serialize + DeserializeOwned + Send + 'static,
    F: FnOnce(&mut PgConnection, Option<K>, i64) -> Result<Vec<T>, ApiError> + Send + 'static,
{
    let (limit, after) = (params.limit()?, params.after()?);
    let rows = db.run(move |conn| load(conn, after, limit + 1)).await?;
    Ok(Page::new(rows, limit, key, req))
}

/// One resource, with its `ETag` (304 when `If-None-Match` matches).
pub async fn read<T, F>(db: &Database, req: &HttpRequest, find: F) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
{
    let found = db.run(find).await?;
    Ok(with_etag(req, &found))
}

/// Validates `new`, creates it in one transaction and answers 201 with the `Location` that
/// `location` gives and the `ETag`.
pub async fn create<N, T, F>(
    db: &Database,
    new: N,
    location: impl FnOnce(&T) -> String,
    insert: F,
) -> Result<HttpResponse, ApiError>
where
    N: Validate + Send + 'static,
    T: Serialize + Send + 'static,
    F: FnOnce(&mut PgConnection, N) -> Result<T, ApiError> + Send + 'static,
{
    new.validate()?;
    let created = db.transaction(move |conn| insert(conn, new)).await?;
    Ok(super::created(location(&created), &created))
}

/// Runs `write` in one transaction, once per `Idempotency-Key`: a retry with the same key and
/// body gets the first answer again, and `operation` names what the key is kept for.
pub async fn once<F>(
    db: &Database,
    req: &HttpRequest,
    principal: Principal,
    operation: &'static str,
    write: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut PgConnection, &Principal) -> Result<Stored, ApiError> + Send + 'static,
{
    let (key, digest) = (idempotency::key(req.headers())?, BodyDigest::of(req));
    let stored = db
        .transaction(move |conn| {
            idempotency::once(
                conn,
                &principal,
                key.as_deref(),
                operation,
                &digest,
                |conn| write(conn, &principal),
            )
        })
        .await?;
    Ok(stored.response())
}

/// Like [`create`], once per `Idempotency-Key` (see [`once`]).
pub async fn create_once<N, T, F>(
    db: &Database,
    req: &HttpRequest,
    principal: Principal,
    operation: &'static str,
    new: N,
    location: fn(&T) -> String,
    insert: F,
) -> Result<HttpResponse, ApiError>
where
    N: Validate + Send + 'static,
    T: Serialize + Send + 'static,
    F: FnOnce(&mut PgConnection, &Principal, N) -> Result<T, ApiError> + Send + 'static,
{
    new.validate()?;
    once(db, req, principal, operation, move |conn, principal| {
        let created = insert(conn, principal, new)?;
        Stored::of(&created, Some(location(&created)))
    })
    .await
}

/// Validates `patch`, applies it in one transaction under the request's `If-Match`, and
/// answers the changed resource with its `ETag`.
pub async fn change<P, T, F>(
    db: &Database,
    req: &HttpRequest,
    patch: P,
    apply: F,
) -> Result<HttpResponse, ApiError>
where
    P: Validate + Send + 'static,
    T: Serialize + Send + 'static,
    F: FnOnce(&mut PgConnection, P, &Precondition) -> Result<T, ApiError> + Send + 'static,
{
    patch.validate()?;
    let precondition = if_match(req);
    let changed = db
        .transaction(move |conn| apply(conn, patch, &precondition))
        .await?;
    Ok(with_etag(req, &changed))
}

/// Validates `input` and creates or replaces the resource at `location` in one transaction
/// under the request's `If-Match` (`write` says whether it created it): 201 with `Location`,
/// or 200, both with the `ETag`.
pub async fn put<I, T, F>(
    db: &Database,
    req: &HttpRequest,
    input: I,
    location: String,
    write: F,
) -> Result<HttpResponse, ApiError>
where
    I: Validate + Send + 'static,
    T: Serialize + Send + 'static,
    F: FnOnce(&mut PgConnection, I, &Precondition) -> Result<(T, bool), ApiError> + Send + 'static,
{
    input.validate()?;
    let precondition = if_match(req);
    let (value, created) = db
        .transaction(move |conn| write(conn, input, &precondition))
        .await?;
    Ok(super::put_response(&value, created, location))
}

/// Deletes in one transaction under the request's `If-Match`: 204 (what `delete` returns,
/// such as the ids a cascade removed, is not part of the answer).
pub async fn remove<T, F>(
    db: &Database,
    req: &HttpRequest,
    delete: F,
) -> Result<HttpResponse, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection, &Precondition) -> Result<T, ApiError> + Send + 'static,
{
    let precondition = if_match(req);
    db.transaction(move |conn| delete(conn, &precondition))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
