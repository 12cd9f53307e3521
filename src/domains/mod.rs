//! Control domains (beheersdomeinen): `/api/v1/domains`.

pub mod criteria;
pub mod dto;
pub mod handlers;
pub mod repo;

pub use handlers::routes;
