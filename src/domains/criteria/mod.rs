//! Criteria ("Detail criterium") of a domain: `/api/v1/domains/{domain_id}/criteria`.

pub mod dto;
pub mod handlers;
pub mod repo;

pub use handlers::routes;
