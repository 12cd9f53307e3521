//! Start-up work on the database: create it when missing, migrate, load the demo data.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::{self, DemoMode};

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

/// Creates the database when missing, runs pending migrations and, when enabled, loads the
/// demo data into an empty database.
pub fn prepare(database_url: &str, demo: DemoMode) -> Result<(), PrepareError> {
    create_database_if_missing(database_url)?;
    let mut conn = PgConnection::establish(database_url)
        .map_err(|e| PrepareError::Unreachable(e.to_string()))?;
    let failed = |e: diesel::result::Error| PrepareError::Failed(e.to_string());
    diesel::sql_query(format!("SELECT pg_advisory_lock({PREPARE_LOCK})"))
        .execute(&mut conn)
        .map_err(failed)?;
    let result = migrate_and_seed(&mut conn, demo);
    diesel::sql_query(format!("SELECT pg_advisory_unlock({PREPARE_LOCK})"))
        .execute(&mut conn)
        .map_err(failed)?;
    result
}

fn migrate_and_seed(conn: &mut PgConnection, demo: DemoMode) -> Result<(), PrepareError> {
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(|e| PrepareError::Failed(format!("migration failed: {e}")))?;
    for version in &applied {
        log::info!("applied migration {version}");
    }
    if demo == DemoMode::Auto {
        let loaded = crate::demo::load_if_empty(conn)
            .map_err(|e| PrepareError::Failed(format!("demo data: {e}")))?;
        if loaded {
            log::info!("loaded the demo data (Voortgangsrapport 2022, stad Mechelen)");
        }
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

/// Connects to the server's `postgres` database and creates the target database if needed.
pub fn create_database_if_missing(database_url: &str) -> Result<(), PrepareError> {
    let name = config::database_name(database_url).map_err(PrepareError::Failed)?;
    let mut maintenance_url =
        url::Url::parse(database_url).map_err(|e| PrepareError::Failed(e.to_string()))?;
    maintenance_url.set_path("/postgres");
    let mut conn = PgConnection::establish(maintenance_url.as_str())
        .map_err(|e| PrepareError::Unreachable(e.to_string()))?;
    let found = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind::<Text, _>(&name)
        .get_result::<Exists>(&mut conn)
        .map_err(|e| PrepareError::Failed(e.to_string()))?;
    if found.exists {
        return Ok(());
    }
    match diesel::sql_query(format!("CREATE DATABASE {}", quote_ident(&name))).execute(&mut conn) {
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
