//! Start-up: logger, configuration, database, server.

use std::net::TcpListener;
use std::process::ExitCode;
use std::time::Duration;

use voortgang::app::{self, ServerOptions};
use voortgang::config::Config;
use voortgang::db::prepare::{self, PrepareError};
use voortgang::db::Database;

const USAGE: &str = "usage: voortgang [serve | openapi]

  serve     run the service (the default); configured by environment variables,
            see the README
  openapi   print the OpenAPI document and exit";

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => serve(),
        ["openapi"] => {
            let api = app::openapi();
            println!(
                "{}",
                api.to_pretty_json()
                    .expect("the OpenAPI document serialises")
            );
            ExitCode::SUCCESS
        }
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn serve() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("voortgang: {err}");
            return ExitCode::from(2);
        }
    };
    let prepared = prepare::prepare(&config.database_url, config.demo);
    // built after preparing, so the pool does not try a database that is still being created
    let db = Database::new(&config.database_url, config.db_pool_size, config.db_timeout);
    match prepared {
        Ok(()) => db.set_prepared(),
        Err(PrepareError::Unreachable(err)) => {
            log::warn!("database not ready, serving anyway and retrying in the background: {err}");
            prepare_in_background(config.clone(), db.clone());
        }
        Err(PrepareError::Failed(err)) => {
            log::error!("cannot prepare the database: {err}");
            return ExitCode::FAILURE;
        }
    }
    let listener = match TcpListener::bind(config.listen) {
        Ok(listener) => listener,
        Err(err) => {
            log::error!("cannot listen on VOORTGANG_LISTEN={}: {err}", config.listen);
            return ExitCode::FAILURE;
        }
    };
    let options = ServerOptions {
        workers: None,
        shutdown_timeout: config.shutdown_timeout,
        handle_signals: true,
    };
    log::info!(
        "serving on http://{0}; Swagger UI at http://{0}/swagger-ui/",
        config.listen
    );
    let result = actix_web::rt::System::new()
        .block_on(async move { app::serve(listener, db, options)?.await });
    match result {
        Ok(()) => {
            log::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(err) => {
            log::error!("server failed: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Retries preparing the database until it answers; readiness says 503 until then.
fn prepare_in_background(config: Config, db: Database) {
    std::thread::spawn(move || {
        let mut wait = Duration::from_millis(500);
        loop {
            std::thread::sleep(wait);
            match prepare::prepare(&config.database_url, config.demo) {
                Ok(()) => {
                    db.set_prepared();
                    log::info!("database ready");
                    return;
                }
                Err(PrepareError::Unreachable(err)) => {
                    log::debug!("database still unreachable: {err}");
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
                Err(PrepareError::Failed(err)) => {
                    log::error!("cannot prepare the database; the service stays unready: {err}");
                    return;
                }
            }
        }
    });
}
