//! What every resource shares: list envelopes and cursors, conditional requests,
//! JSON Merge Patch bodies, validation helpers.

pub mod body;
pub mod etag;
pub mod handlers;
pub mod idempotency;
pub mod kept;
pub mod limits;
pub mod listing;
pub mod ordering;
pub mod page;
pub mod query;
pub mod respond;
pub mod timestamp;
pub mod validate;

pub use body::{Json, MergePatch, OptionalJson};
pub use etag::{if_match, with_etag, Precondition};
pub use page::{Cursor, ListParams, Page};
pub use query::Query;

use actix_web::http::header;
use actix_web::HttpResponse;
use serde::Serialize;

/// 201 with the new resource, its `Location` and `ETag`.
pub fn created<T: Serialize>(location: String, value: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag::etag_of(value)))
        .json(value)
}

/// 409 when another row than `except` already has the unique `name`: `holder` is the id of
/// the row that has it, `noun` what such a row is called.
pub fn ensure_name_free(
    noun: &str,
    holder: Option<String>,
    name: &str,
    except: Option<&str>,
) -> Result<(), crate::error::ApiError> {
    match holder {
        Some(holder) if Some(holder.as_str()) != except => Err(crate::error::ApiError::Conflict(
            format!("The {noun} `{holder}` already has the name `{name}`."),
        )),
        _ => Ok(()),
    }
}

/// The years the product keeps data for.
pub use limits::YEARS;

/// Refuses a year outside 2000-2100 for a write (422 naming `year`).
pub fn check_year(year: i32) -> Result<(), crate::error::ApiError> {
    if YEARS.contains(&year) {
        Ok(())
    } else {
        Err(crate::error::ApiError::invalid(
            "year",
            format!("must be from {} to {}", limits::YEAR_MIN, limits::YEAR_MAX),
        ))
    }
}

/// A year in the path of an operation without a body: outside 2000-2100 the request is
/// malformed (400), as a query parameter out of range is.
pub fn check_path_year(year: i32) -> Result<(), crate::error::ApiError> {
    check_year_filter(Some(year), false)
}

/// The answer to a PUT: 201 with `Location` when it created the resource, 200 when it
/// replaced it; `ETag` either way.
pub fn put_response<T: Serialize>(value: &T, created: bool, location: String) -> HttpResponse {
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    if created {
        response.insert_header((header::LOCATION, location));
    }
    response
        .insert_header((header::ETAG, etag::etag_of(value)))
        .json(value)
}

/// `?cascade=true` on a delete.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CascadeParams {
    /// Also remove what depends on the resource (the operation says what).
    #[param(example = false)]
    #[serde(default)]
    pub cascade: bool,
}

impl CascadeParams {
    /// Whether the request asked to cascade.
    pub fn given(self) -> bool {
        self.cascade
    }
}

/// Checks the `year` and `status` filters of a list: a status is the status in a year.
pub fn check_year_filter(
    year: Option<i32>,
    has_status: bool,
) -> Result<(), crate::error::ApiError> {
    if year.is_some_and(|y| !YEARS.contains(&y)) {
        return Err(crate::error::ApiError::BadRequest(format!(
            "year must be from {} to {}",
            limits::YEAR_MIN,
            limits::YEAR_MAX
        )));
    }
    if has_status && year.is_none() {
        return Err(crate::error::ApiError::BadRequest(
            "status filters on the status in a year: give `year` too".into(),
        ));
    }
    Ok(())
}
