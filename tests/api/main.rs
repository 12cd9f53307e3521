//! The integration tests: one binary, each test on its own database cloned from a template
//! migrated once per run.

mod actions;
mod audit;
mod auth;
mod contract;
mod criteria;
mod demo;
mod departments;
mod domains;
mod errors;
mod health;
mod helpers;
mod migrations;
mod reports;
mod risks;
mod startup;
mod themes;
mod upserts;
