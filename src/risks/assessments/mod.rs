//! A risk's assessment per year: `/api/v1/risks/{risk_id}/assessments`.

pub mod dto;
pub mod handlers;
pub mod repo;

pub use handlers::routes;
