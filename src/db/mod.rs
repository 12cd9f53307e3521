//! The connection pool and the one helper through which every diesel call runs.

pub mod prepare;
pub mod schema;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::Connection;

use crate::error::ApiError;

pub type PgPool = Pool<ConnectionManager<PgConnection>>;

/// Failed connection attempts are expected during an outage; readiness reports it.
#[derive(Debug)]
struct LogAsWarning;

impl diesel::r2d2::HandleError<diesel::r2d2::Error> for LogAsWarning {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        log::warn!("database connection failed: {error}");
    }
}

/// The pool, and whether the schema is migrated and ready to serve.
#[derive(Clone)]
pub struct Database {
    pool: PgPool,
    prepared: Arc<AtomicBool>,
}

impl Database {
    /// Builds the pool without connecting: the service starts even when PostgreSQL is down,
    /// and a request that cannot get a connection within `timeout` gets a 503.
    pub fn new(database_url: &str, size: u32, timeout: Duration) -> Self {
        let pool = Pool::builder()
            .max_size(size)
            .connection_timeout(timeout)
            .error_handler(Box::new(LogAsWarning))
            .build_unchecked(ConnectionManager::new(database_url));
        Self {
            pool,
            prepared: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Marks the schema as migrated; until then every database call answers 503.
    pub fn set_prepared(&self) {
        self.prepared.store(true, Ordering::Release);
    }

    pub fn is_prepared(&self) -> bool {
        self.prepared.load(Ordering::Acquire)
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if !self.is_prepared() {
            return Err(ApiError::Unavailable(
                "The database is not ready yet; retry shortly.".into(),
            ));
        }
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(|e| {
                log::warn!("no database connection: {e}");
                ApiError::Unavailable("No database connection is available; retry shortly.".into())
            })?;
            f(&mut conn)
        })
        .await
        .map_err(|e| ApiError::internal("blocking task", e))?
    }

    /// Runs `f` in one transaction: everything it writes is committed together or not at all.
    pub async fn transaction<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| conn.transaction(f)).await
    }
}
