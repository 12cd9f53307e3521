//! High risks to follow up, per domain: `/api/v1/risks`.

pub mod assessments;
pub mod dto;
pub mod handlers;
pub mod history;
pub mod repo;

pub use handlers::routes;
