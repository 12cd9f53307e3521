//! Departments' scripted updates: upsert an action by its `external_ref`, one at a time
//! (`PUT /api/v1/actions/by-ref/{external_ref}`) or up to 1000 at once, all or nothing
//! (`POST /api/v1/actions/batch`, with `dry_run`). Re-running the same script is harmless.

pub mod dto;
pub mod handlers;
pub mod repo;

pub use handlers::routes;
