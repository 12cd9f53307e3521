//! High risks to follow up, per domain: `/api/v1/risks`.

pub mod dto;
pub mod handlers;
pub mod repo;

pub use handlers::routes;
