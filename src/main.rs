//! Start-up: logger, configuration, database, server.

use std::net::TcpListener;
use std::process::ExitCode;
use std::time::Duration;

use diesel::Connection;
use validator::Validate;
use voortgang::auth::{Principal, Role};
use voortgang::config::{Config, LogFormat};
use voortgang::db::Database;
use voortgang::error::ApiError;
use voortgang::http::auth::AuthSettings;
use voortgang::http::{self, ServerOptions};
use voortgang::startup::{self, PrepareError};
use voortgang::tokens::{self, dto::NewToken};

const USAGE: &str =
    "usage: voortgang [serve | openapi | powerbi | synth [OPTIONS] | token create --name NAME --role ROLE [--department ID]...]

  serve         run the service (the default); configured by environment variables,
                see the README
  openapi       print the OpenAPI document and exit
  powerbi       print the PowerBI guide to the exports (docs/powerbi.md) and exit
  synth         add synthetic data for benchmarks to the database of DATABASE_URL (created,
                migrated and given the demo data first when empty): --actions N (20000),
                --risks N (2700), --years N (10), --first-year Y (2016), --seed S (1);
                the same seed gives the same data
  token create  create an API token in the database of DATABASE_URL and print its secret
                (shown only this once); ROLE is reader, editor or admin, and editors need
                one --department per department they may change";

fn main() -> ExitCode {
    match LogFormat::from_lookup(|name| std::env::var(name).ok()) {
        Ok(format) => voortgang::startup::logging::init(format),
        Err(err) => {
            eprintln!("voortgang: {err}");
            return ExitCode::from(2);
        }
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => serve(),
        ["openapi"] => {
            let api = http::openapi();
            println!(
                "{}",
                api.to_pretty_json()
                    .expect("the OpenAPI document serialises")
            );
            ExitCode::SUCCESS
        }
        ["powerbi"] => {
            print!("{}", voortgang::exports::docs::powerbi_markdown());
            ExitCode::SUCCESS
        }
        ["synth", options @ ..] => synth(options),
        ["token", "create", options @ ..] => create_token(options),
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
    let prepared = startup::prepare(&config);
    // built after preparing, so the pool does not try a database that is still being created
    let db = Database::with_statement_timeout(
        &config.database_url,
        config.db_pool_size,
        config.db_timeout,
        config.db_statement_timeout,
    );
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
        auth: AuthSettings {
            public_read: config.public_read,
        },
        cors_origins: config.cors_origins.clone(),
        rate_limits: config.rate_limits,
    };
    log::info!(
        "serving on http://{0}; Swagger UI at http://{0}/swagger-ui/",
        config.listen
    );
    let result = actix_web::rt::System::new()
        .block_on(async move { http::serve(listener, db, options)?.await });
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
            match startup::prepare(&config) {
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

/// `voortgang token create`: the way to the first token without the API.
fn synth(options: &[&str]) -> ExitCode {
    let mut synth = voortgang::startup::synth::Options::default();
    let mut rest = options.iter();
    while let Some(option) = rest.next() {
        let value = rest.next().and_then(|v| v.parse::<i32>().ok());
        let target = match *option {
            "--actions" => &mut synth.actions,
            "--risks" => &mut synth.risks,
            "--years" => &mut synth.years,
            "--first-year" => &mut synth.first_year,
            "--seed" => &mut synth.seed,
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        };
        match value {
            Some(value) if value >= 0 => *target = value,
            _ => {
                eprintln!("voortgang: {option} takes a number");
                return ExitCode::from(2);
            }
        }
    }
    let last = synth.first_year + synth.years - 1;
    if synth.years < 1 || synth.first_year < 2000 || last > 2100 {
        eprintln!("voortgang: the years must lie within 2000 to 2100");
        return ExitCode::from(2);
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("voortgang: {err}");
            return ExitCode::from(2);
        }
    };
    let generated = startup::prepare(&config)
        .map_err(|e| e.to_string())
        .and_then(|()| startup::migrate(&config.database_url).map_err(|e| e.to_string()))
        .and_then(|mut conn| {
            voortgang::startup::synth::generate(&mut conn, synth).map_err(|e| e.to_string())
        });
    match generated {
        Ok(summary) => {
            println!(
                "added {} actions with {} statuses and {} risks with {} assessments ({} to {last}, seed {})",
                summary.actions,
                summary.statuses,
                summary.risks,
                summary.assessments,
                synth.first_year,
                synth.seed
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("voortgang: {err}");
            ExitCode::FAILURE
        }
    }
}

fn create_token(options: &[&str]) -> ExitCode {
    let mut name = None;
    let mut role = None;
    let mut departments = Vec::new();
    let mut rest = options.iter();
    while let Some(option) = rest.next() {
        match (*option, rest.next()) {
            ("--name", Some(value)) => name = Some(value.to_string()),
            ("--role", Some(value)) => role = Role::parse(value),
            ("--department", Some(value)) => departments.push(value.to_string()),
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let (Some(name), Some(role)) = (name, role) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("voortgang: {err}");
            return ExitCode::from(2);
        }
    };
    let new = NewToken {
        name,
        role,
        department_ids: departments,
        expires_at: None,
    };
    if let Err(err) = new.validate() {
        eprintln!("voortgang: {}", ApiError::from(err));
        return ExitCode::from(2);
    }
    let created = startup::migrate(&config.database_url)
        .map_err(|e| e.to_string())
        .and_then(|mut conn| {
            conn.transaction(|conn| {
                tokens::repo::create(conn, &Principal::system("command-line"), new)
            })
            .map_err(|e| e.to_string())
        });
    match created {
        Ok((token, secret)) => {
            println!("{secret}");
            eprintln!(
                "created the {} token `{}` (id {}); the secret above is shown only once",
                token.role.as_str(),
                token.name,
                token.id
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("voortgang: cannot create the token: {err}");
            ExitCode::FAILURE
        }
    }
}
