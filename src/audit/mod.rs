//! The audit trail: every write records who changed what, with the entity before and after,
//! in the write's own transaction; `/api/v1/audit-events` and the history of a risk or action.

pub mod dto;
pub mod handlers;
pub mod repo;

pub use dto::EntityType;
pub use handlers::routes;
pub use repo::{changed, created, deleted, record};
