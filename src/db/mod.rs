//! The connection pool and the one helper through which every diesel call runs.

pub mod changes;
pub mod fixed;
pub mod pool;
pub mod schema;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{CustomizeConnection, Pool};
use diesel::{Connection, RunQueryDsl};

use crate::error::ApiError;
use changes::Changes;

pub type PgPool = Pool<pool::Manager>;
/// A connection taken from the pool (back in the pool when dropped).
pub type PgPooled = diesel::r2d2::PooledConnection<pool::Manager>;

/// Declares an enum stored in a `text` column: its names in JSON, in the contract and in the
/// database are the variants in `snake_case` (serde and strum alike), `as_str` gives them,
/// and diesel reads and writes it as text. A value in the database that no variant names is
/// an error, never a silent default. Extra derives go in the enum's own attributes.
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$variant_meta:meta])* $variant:ident),+ $(,)? }) => {
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            serde::Serialize,
            serde::Deserialize,
            utoipa::ToSchema,
            diesel::AsExpression,
            diesel::FromSqlRow,
            strum::EnumString,
            strum::IntoStaticStr,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        $(#[$meta])*
        $vis enum $name {
            $($(#[$variant_meta])* $variant),+
        }

        impl $name {
            /// The name in JSON, in the contract and in the database.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    &mut out.reborrow(),
                )
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = std::str::from_utf8(value.as_bytes())?;
                text.parse().map_err(|_| {
                    format!("`{text}` is no {} in the database", stringify!($name)).into()
                })
            }
        }
    };
}
pub(crate) use text_enum;

/// What every table with an integer id gives its repository: `not_found` (the 404) and
/// `ensure_exists`; with `external_ref` (an optional unique key of the organisation's) also
/// `ensure_external_ref_free` (409 when another row holds the key).
macro_rules! keyed_rows {
    ($table:ident, $noun:literal) => {
        fn not_found(id: i32) -> $crate::error::ApiError {
            $crate::error::ApiError::NotFound(format!(
                concat!("There is no ", $noun, " with id {}."),
                id
            ))
        }

        #[doc = concat!("404 unless the ", $noun, " `id` exists.")]
        pub fn ensure_exists(
            conn: &mut diesel::pg::PgConnection,
            id: i32,
        ) -> Result<(), $crate::error::ApiError> {
            let found: bool =
                diesel::select(diesel::dsl::exists($table::table.find(id))).get_result(conn)?;
            found.then_some(()).ok_or_else(|| not_found(id))
        }
    };
    ($table:ident, $noun:literal, external_ref) => {
        $crate::db::keyed_rows!($table, $noun);

        #[doc = concat!("409 when another ", $noun, " than `except` holds `external_ref`.")]
        fn ensure_external_ref_free(
            conn: &mut diesel::pg::PgConnection,
            external_ref: Option<&str>,
            except: Option<i32>,
        ) -> Result<(), $crate::error::ApiError> {
            let Some(external_ref) = external_ref else {
                return Ok(());
            };
            let holder: Option<i32> = $table::table
                .filter($table::external_ref.eq(external_ref))
                .select($table::id)
                .first(conn)
                .optional()?;
            match holder {
                Some(other) if Some(other) != except => {
                    Err($crate::error::ApiError::Conflict(format!(
                        concat!("The external_ref `{}` is already ", $noun, " {}'s."),
                        external_ref, other
                    )))
                }
                _ => Ok(()),
            }
        }
    };
}
pub(crate) use keyed_rows;

/// The row functions of a table whose rows a department may own (columns `id`,
/// `department_id` and `updated_at`), with `noun` naming a row in messages:
/// `not_found(id)`, `ensure_exists` (404), `lock` (the row locked for the rest of the
/// transaction, 404 when absent, 403 when the principal may not change it) and `touch` (the
/// row marked as changed, for a change to one of its children).
macro_rules! owned_rows {
    ($table:ident, $noun:literal $(, $external_ref:ident)?) => {
        $crate::db::keyed_rows!($table, $noun $(, $external_ref)?);

        #[doc = concat!("Locks the ", $noun, " row for the rest of the transaction (404 when it does not exist) and checks that `principal` may change it.")]
        pub fn lock(
            conn: &mut diesel::pg::PgConnection,
            principal: &$crate::auth::Principal,
            id: i32,
        ) -> Result<(), $crate::error::ApiError> {
            let department: Option<String> = $table::table
                .find(id)
                .select($table::department_id)
                .for_update()
                .first(conn)
                .optional()?
                .ok_or_else(|| not_found(id))?;
            $crate::auth::ensure_may_change(principal, department.as_deref())
        }

        #[doc = concat!("Marks the ", $noun, " as changed (what belongs to it is part of it).")]
        pub fn touch(conn: &mut diesel::pg::PgConnection, id: i32) -> diesel::QueryResult<()> {
            diesel::update($table::table.find(id))
                .set($table::updated_at.eq(diesel::dsl::now))
                .execute(conn)
                .map(|_| ())
        }
    };
}
pub(crate) use owned_rows;

/// Failed connection attempts are expected during an outage; readiness reports it.
#[derive(Debug)]
struct LogAsWarning;

impl diesel::r2d2::HandleError<diesel::r2d2::Error> for LogAsWarning {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        log::warn!("database connection failed: {error}");
    }
}

/// Sets `statement_timeout` on every new pooled connection.
#[derive(Debug)]
struct StatementTimeout(Duration);

impl CustomizeConnection<pool::Conn, diesel::r2d2::Error> for StatementTimeout {
    fn on_acquire(&self, conn: &mut pool::Conn) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&format!("SET statement_timeout = {}", self.0.as_millis()))
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// How long the readiness probe waits for its connection, and for `SELECT 1`.
const PROBE_WAIT: Duration = Duration::from_millis(500);

/// The pool, and whether the schema is migrated and ready to serve.
#[derive(Clone)]
pub struct Database {
    pool: PgPool,
    /// One connection of its own for the readiness probe, so a pool busy with requests does
    /// not read as a database that does not answer.
    probe: PgPool,
    prepared: Arc<AtomicBool>,
    url: Arc<str>,
    changes: Arc<Changes>,
}

impl Database {
    /// Builds the pool without connecting: the service starts even when PostgreSQL is down,
    /// and a request that cannot get a connection within `timeout` gets a 503.
    pub fn new(database_url: &str, size: u32, timeout: Duration) -> Self {
        Self::with_statement_timeout(database_url, size, timeout, Duration::from_secs(5))
    }

    /// Like [`Database::new`]; a statement running longer than `statement_timeout` is
    /// cancelled by PostgreSQL, and its request gets a 503.
    pub fn with_statement_timeout(
        database_url: &str,
        size: u32,
        timeout: Duration,
        statement_timeout: Duration,
    ) -> Self {
        let pool = Pool::builder()
            .max_size(size)
            // no `SELECT 1` before each request: a lost connection is dropped instead (`pool`)
            .test_on_check_out(false)
            .connection_timeout(timeout)
            .error_handler(Box::new(LogAsWarning))
            .connection_customizer(Box::new(StatementTimeout(statement_timeout)))
            .build_unchecked(pool::Manager::new(database_url));
        let probe = Pool::builder()
            .max_size(1)
            .min_idle(Some(0))
            .connection_timeout(PROBE_WAIT)
            .error_handler(Box::new(LogAsWarning))
            .connection_customizer(Box::new(StatementTimeout(PROBE_WAIT)))
            .build_unchecked(pool::Manager::new(database_url));
        Self {
            pool,
            probe,
            prepared: Arc::new(AtomicBool::new(false)),
            url: database_url.into(),
            changes: Arc::new(Changes::default()),
        }
    }

    /// Marks the schema as migrated; until then every database call answers 503. Starts
    /// listening for changes.
    pub fn set_prepared(&self) {
        if !self.prepared.swap(true, Ordering::AcqRel) {
            changes::listen(self.url.to_string(), &self.changes);
        }
    }

    /// What changed since something was kept in memory.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    pub fn is_prepared(&self) -> bool {
        self.prepared.load(Ordering::Acquire)
    }

    /// The pool, for work that holds a connection beyond one call (streams); 503 until the
    /// schema is ready.
    pub fn pool(&self) -> Result<PgPool, ApiError> {
        if self.is_prepared() {
            Ok(self.pool.clone())
        } else {
            Err(ApiError::Unavailable(
                "The database is not ready yet; retry shortly.".into(),
            ))
        }
    }

    /// Whether the database answers `SELECT 1`, on the probe's own connection and within about
    /// half a second (the readiness probe must answer quickly during an outage). Ready means
    /// the database answers: requests using every pooled connection do not make it unready.
    pub async fn probe(&self) -> Result<(), ApiError> {
        if !self.is_prepared() {
            return Err(ApiError::Unavailable(
                "The database is not ready yet; retry shortly.".into(),
            ));
        }
        let pool = self.probe.clone();
        web::block(move || {
            let mut conn = pool.get_timeout(PROBE_WAIT).map_err(|e| {
                log::warn!("readiness: no database connection: {e}");
                ApiError::Unavailable("The database does not answer.".into())
            })?;
            diesel::sql_query("SELECT 1")
                .execute(&mut **conn)
                .map(|_| ())
                .map_err(|e| {
                    log::warn!("readiness: {e}");
                    ApiError::Unavailable("The database does not answer.".into())
                })
        })
        .await
        .map_err(|e| ApiError::internal("blocking task", e))?
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
        let result = self.run(move |conn| conn.transaction(f)).await;
        // committed or not, this process may have changed data: what it kept is stale
        self.changes.changed();
        result
    }

    /// Runs `f` in a transaction that is always rolled back: a dry run's answer is exactly
    /// what the write would do, and nothing is written.
    pub async fn dry_run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        /// Why the transaction ended: an error, or the end of the dry run (which rolls back).
        enum Stop<T> {
            Error(ApiError),
            Done(T),
        }
        impl<T> From<diesel::result::Error> for Stop<T> {
            fn from(err: diesel::result::Error) -> Self {
                Self::Error(err.into())
            }
        }
        self.run(move |conn| {
            match conn.transaction::<(), Stop<T>, _>(|conn| {
                Err(Stop::Done(f(conn).map_err(Stop::Error)?))
            }) {
                Err(Stop::Done(result)) => Ok(result),
                Err(Stop::Error(err)) => Err(err),
                Ok(()) => Err(ApiError::internal("dry run", "a dry run committed")),
            }
        })
        .await
    }
}
