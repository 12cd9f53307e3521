//! The recommendations of audits and what became of each, year by year:
//! `/api/v1/audits/{audit_id}/recommendations` and `/api/v1/recommendations`.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod summary;

pub use handlers::routes;
