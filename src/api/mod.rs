//! What every resource shares: list envelopes and cursors, conditional requests,
//! JSON Merge Patch bodies, validation helpers.

pub mod body;
pub mod etag;
pub mod page;
pub mod query;
pub mod validate;

pub use body::{Json, MergePatch};
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
