//! The pooled connection: a diesel `PgConnection` that remembers when its server went away.
//!
//! r2d2 can test a connection with `SELECT 1` each time it hands it out, which costs every
//! request a round trip to PostgreSQL. The pool does not. Instead a connection whose statement
//! failed because the connection itself was lost (after a server restart, a network cut or
//! `pg_terminate_backend`: diesel's `ClosedConnection` or `UnableToSendCommand`) is marked, and
//! r2d2 drops it instead of taking it back. The request that met it answers 503 (retry); the
//! next one gets a new connection.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, Error, ManageConnection, R2D2Connection};
use diesel::result::{DatabaseErrorKind, Error as QueryError};
use diesel::Connection;

/// A pooled connection; use it as the `PgConnection` it holds.
pub struct Conn {
    inner: PgConnection,
    lost: Arc<AtomicBool>,
}

impl Deref for Conn {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.inner
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.inner
    }
}

/// Marks its connection lost when a statement finds the connection gone.
struct Watch(Arc<AtomicBool>);

impl Instrumentation for Watch {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery {
            error:
                Some(QueryError::DatabaseError(
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                    _,
                )),
            ..
        } = event
        {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}

/// diesel's connection manager, handing out [`Conn`]s and taking back only those not lost.
#[derive(Debug)]
pub struct Manager(ConnectionManager<PgConnection>);

impl Manager {
    pub fn new(database_url: &str) -> Self {
        Self(ConnectionManager::new(database_url))
    }
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = Error;

    fn connect(&self) -> Result<Conn, Error> {
        let mut inner = self.0.connect()?;
        let lost = Arc::new(AtomicBool::new(false));
        inner.set_instrumentation(Watch(lost.clone()));
        Ok(Conn { inner, lost })
    }

    /// Used only where a pool tests on check-out (the readiness probe's): `SELECT 1`.
    fn is_valid(&self, conn: &mut Conn) -> Result<(), Error> {
        conn.inner.ping().map_err(Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.lost.load(Ordering::Relaxed) || self.0.has_broken(&mut conn.inner)
    }
}
