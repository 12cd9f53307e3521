//! The yearly cycle that produces a report: a reviewer opens the year, the departments answer
//! their worklists, the reviewer approves or returns each answer and closes the collection,
//! and only then is the report adopted.

pub mod handlers;
pub mod repo;
pub mod review;
pub mod sheet;
pub mod worklist;

pub use handlers::routes;
