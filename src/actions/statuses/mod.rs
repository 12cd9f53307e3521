//! An action's status per year: `/api/v1/actions/{action_id}/statuses`.

pub mod dto;
pub mod handlers;
pub mod repo;

pub use handlers::routes;
