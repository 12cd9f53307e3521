//! voortgang: the system of record for internal control (organisatiebeheersing) in Flemish
//! local government, served as a REST/JSON API.

pub mod actions;
pub mod api;
pub mod app;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod browser;
pub mod changes;
pub mod config;
pub mod criteria;
pub mod db;
pub mod demo;
pub mod departments;
pub mod domains;
pub mod error;
pub mod exports;
pub mod health;
pub mod idempotency;
pub mod links;
pub mod listing;
pub mod openapi;
pub mod ordering;
pub mod reports;
pub mod response_cache;
pub mod risks;
pub mod statuses;
pub mod synth;
pub mod themes;
pub mod tokens;
pub mod upserts;
