//! Actions (maatregelen) with their status per year: `/api/v1/actions`.

pub mod dto;
pub mod handlers;
pub mod history;
pub mod repo;
pub mod statuses;
pub mod upserts;

pub use handlers::routes;
