//! voortgang: the system of record for internal control (organisatiebeheersing) in Flemish
//! local government, served as a REST/JSON API.

pub mod actions;
pub mod api;
pub mod audit;
pub mod audits;
pub mod auth;
pub mod config;
pub mod db;
pub mod departments;
pub mod domains;
pub mod error;
pub mod exports;
pub mod http;
pub mod links;
pub mod office;
pub mod reports;
pub mod risks;
pub mod self_evaluations;
pub mod startup;
pub mod themes;
pub mod tokens;
pub mod webhooks;
pub mod years;
