//! The integration tests: one binary, each test on its own database cloned from a template
//! migrated once per run.

mod actions;
mod architecture;
mod audit;
mod audits;
mod auth;
mod browser;
mod caching;
mod concurrency;
mod contract;
mod crashes;
mod criteria;
mod cycle;
mod demo;
mod departments;
mod documentation;
mod documents;
mod domains;
mod errors;
mod exports;
mod faults;
mod health;
mod helpers;
mod migrations;
mod observability;
mod recommendations;
mod reports;
mod risks;
mod self_evaluations;
mod startup;
mod synth;
mod themes;
mod upserts;
mod webhooks;
