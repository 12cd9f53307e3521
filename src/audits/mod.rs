//! The register of audits the organisation underwent (Audit Vlaanderen, its internal audit,
//! an external auditor): `/api/v1/audits`. Not to be confused with `audit`, the audit trail
//! of every write.

pub mod dto;
pub mod handlers;
pub mod history;
pub mod recommendations;
pub mod repo;

pub use handlers::routes;
