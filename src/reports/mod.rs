//! The yearly progress report (voortgangsrapport): `/api/v1/reports`.

pub mod adopt;
pub mod assemble;
pub mod cache;
pub mod cycle;
pub mod document;
pub mod dto;
pub mod follow_up;
pub mod handlers;
pub mod repo;
pub mod word;
pub mod workbook;

pub use handlers::routes;
