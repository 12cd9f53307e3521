//! Self-evaluations against the Leidraad organisatiebeheersing: a maturity score per theme on
//! Audit Vlaanderen's scale (`/api/v1/maturity-levels`), with a target, the reasoning, the
//! evidence and the improvement actions; their trend over the years
//! (`/api/v1/self-evaluations/trend`) and the report's section on them.

pub mod dto;
pub mod handlers;
pub mod history;
pub mod levels;
pub mod repo;
pub mod trend;

pub use handlers::routes;
