//! API tokens (admin only): `/api/v1/tokens`.

pub mod dto;
pub mod handlers;
pub mod repo;

pub use handlers::routes;
