//! Webhooks: other systems (the intranet) subscribe to events and receive them signed, at
//! least once, in order per subscription.
//!
//! Events come from the audit trail, written in each write's own transaction: the fan-out
//! (`queue::fan_out`) turns audit events into deliveries once their transactions are over, and
//! the delivery worker (`worker`) sends them in the Standard Webhooks format (`sign`) to the
//! targets that `target` allows.

pub mod dto;
pub mod events;
pub mod handlers;
pub mod queue;
pub mod repo;
pub mod sign;
pub mod target;
pub mod worker;

pub use handlers::routes;
