//! Actions (maatregelen) with their status per year: `/api/v1/actions`.

pub mod dto;
pub mod handlers;
pub mod repo;

pub use handlers::routes;
