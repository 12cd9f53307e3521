//! Start-up work on the database: create it when missing, migrate, load the demo data.

pub mod demo;
pub mod logging;
pub mod synth;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::{self, Config, DemoMode};
use crate::{auth, tokens};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Serialises preparation when several instances start on one database.
const PREPARE_LOCK: i64 = 0x766f_6f72_7467;

/// Why preparation failed: the server could not be reached (worth retrying), or something else.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("PostgreSQL is unreachable: {0}")]
    Unreachable(String),
    #[error("{0}")]
    Failed(String),
}

/// Name of the admin token `VOORTGANG_ADMIN_TOKEN` sets.
pub const ENV_ADMIN: &str = "admin-from-environment";

/// Creates the database when missing, runs pending migrations, loads the demo data into an
/// empty database when enabled, and makes sure an admin can get in: `VOORTGANG_ADMIN_TOKEN`
/// becomes an admin token, and when there is no token at all a first admin token is created
/// and its secret logged once.
pub fn prepare(config: &Config) -> Result<(), PrepareError> {
    let (database_url, demo) = (config.database_url.as_str(), config.demo);
    create_database_if_missing(database_url)?;
    let mut conn = PgConnection::establish(database_url)
        .map_err(|e| PrepareError::Unreachable(e.to_string()))?;
    let failed = |e: diesel::result::Error| PrepareError::Failed(e.to_string());
    diesel::sql_query(format!("SELECT pg_advisory_lock({PREPARE_LOCK})"))
        .execute(&mut conn)
        .map_err(failed)?;
    let result = migrate_and_seed(&mut conn, demo).and_then(|()| {
        admin_access(&mut conn, config)
            .map_err(|e| PrepareError::Failed(format!("admin token: {e}")))
    });
    diesel::sql_query(format!("SELECT pg_advisory_unlock({PREPARE_LOCK})"))
        .execute(&mut conn)
        .map_err(failed)?;
    result
}

/// Creates the database when missing and migrates it, without anything else; for the
/// command line.
pub fn migrate(database_url: &str) -> Result<PgConnection, PrepareError> {
    create_database_if_missing(database_url)?;
    let mut conn = PgConnection::establish(database_url)
        .map_err(|e| PrepareError::Unreachable(e.to_string()))?;
    conn.run_pending_migrations(MIGRATIONS)
        .map_err(|e| PrepareError::Failed(format!("migration failed: {e}")))?;
    Ok(conn)
}

fn migrate_and_seed(conn: &mut PgConnection, demo: DemoMode) -> Result<(), PrepareError> {
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| PrepareError::Failed(format!("migration failed: {e}")))?;
    for version in &applied {
        log::info!("applied migration {version}");
    }
    if demo == DemoMode::Auto {
        let loaded = crate::startup::demo::load_if_empty(conn)
            .map_err(|e| PrepareError::Failed(format!("demo data: {e}")))?;
        if loaded {
            log::info!("loaded the demo data (Voortgangsrapport 2022, stad Mechelen)");
        }
    }
    Ok(())
}

fn admin_access(conn: &mut PgConnection, config: &Config) -> QueryResult<()> {
    if let Some(secret) = &config.admin_token {
        return tokens::repo::ensure_admin(conn, ENV_ADMIN, secret);
    }
    if tokens::repo::any(conn)? {
        return Ok(());
    }
    let secret = auth::secret::generate();
    tokens::repo::ensure_admin(conn, "first-admin", &secret)?;
    log::warn!(
        "no API token existed: created the admin token `first-admin`, shown only now: {secret} \
         (Swagger UI at http://{}/swagger-ui/, press Authorize)",
        config.listen
    );
    Ok(())
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

/// Connects to the server's `postgres` database and creates the target database if needed.
pub fn create_database_if_missing(database_url: &str) -> Result<(), PrepareError> {
    let url = config::DatabaseUrl::parse(database_url).map_err(PrepareError::Failed)?;
    let name = url.name();
    let mut conn = PgConnection::establish(&url.with_database("postgres"))
        .map_err(|e| PrepareError::Unreachable(e.to_string()))?;
    let found = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind::<Text, _>(name)
        .get_result::<Exists>(&mut conn)
        .map_err(|e| PrepareError::Failed(e.to_string()))?;
    if found.exists {
        return Ok(());
    }
    match diesel::sql_query(format!("CREATE DATABASE {}", quote_ident(name))).execute(&mut conn) {
        Ok(_) => {
            log::info!("created database {name}");
            Ok(())
        }
        // another instance created it between our check and our statement
        Err(diesel::result::Error::DatabaseError(_, info))
            if info.message().contains("already exists") =>
        {
            Ok(())
        }
        Err(e) => Err(PrepareError::Failed(format!(
            "creating database {name}: {e}"
        ))),
    }
}

/// Quotes an SQL identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
