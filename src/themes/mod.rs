//! The themes of Audit Vlaanderen's Leidraad organisatiebeheersing (read-only):
//! `/api/v1/themes`.

pub mod dto;
pub mod handlers;
pub mod repo;

pub use handlers::routes;
