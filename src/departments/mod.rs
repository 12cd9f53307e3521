//! Departments (diensten), owners of risks and actions: `/api/v1/departments`.

pub mod dto;
pub mod handlers;
pub mod repo;

pub use handlers::routes;
