//! Start-up: logger, command line, configuration, then the chosen command.

use std::net::TcpListener;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use diesel::Connection;
use validator::Validate;
use voortgang::auth::{Principal, Role};
use voortgang::config::{Config, LogFormat};
use voortgang::db::Database;
use voortgang::error::ApiError;
use voortgang::http::auth::AuthSettings;
use voortgang::http::{self, ServerOptions};
use voortgang::startup::{self, synth, PrepareError};
use voortgang::tokens::{self, dto::NewToken};
use voortgang::webhooks;

/// voortgang: the system of record for internal control (organisatiebeheersing).
///
/// Configured by environment variables (DATABASE_URL, VOORTGANG_*); see the README.
#[derive(Debug, Parser)]
#[command(name = "voortgang", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the service (the default): create and migrate the database, load the demo data
    /// into an empty one, and serve.
    Serve,
    /// Print the OpenAPI document and exit.
    Openapi,
    /// Print the PowerBI guide to the exports (docs/powerbi.md) and exit.
    Powerbi,
    /// Add synthetic data for benchmarks to the database of DATABASE_URL (created, migrated
    /// and given the demo data first when empty); the same seed gives the same data.
    Synth(SynthArgs),
    /// Manage API tokens in the database of DATABASE_URL.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Args)]
struct SynthArgs {
    /// Actions to add.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(i32).range(0..))]
    actions: i32,
    /// Risks to add.
    #[arg(long, default_value_t = 2_700, value_parser = clap::value_parser!(i32).range(0..))]
    risks: i32,
    /// Audits to add.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(i32).range(0..))]
    audits: i32,
    /// Recommendations to add, spread over those audits.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(i32).range(0..))]
    recommendations: i32,
    /// Self-evaluations to add (organisation-wide, partial and per department), each scoring
    /// the Leidraad themes.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i32).range(0..))]
    self_evaluations: i32,
    /// Years of statuses and assessments.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(i32).range(1..=101))]
    years: i32,
    /// The first of those years.
    #[arg(long, default_value_t = 2016, value_parser = clap::value_parser!(i32).range(2000..=2100))]
    first_year: i32,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i32).range(0..))]
    seed: i32,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token and print its secret (shown only this once).
    Create(TokenArgs),
}

#[derive(Debug, Args)]
struct TokenArgs {
    /// The token's name: the actor in the audit trail.
    #[arg(long)]
    name: String,
    /// What the token may do.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// A department an editor may change (repeat for several).
    #[arg(long = "department", value_name = "ID")]
    departments: Vec<String>,
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
        .map_err(|_| "expected reader, editor, reviewer or admin".to_string())
}

fn main() -> ExitCode {
    match LogFormat::from_lookup(|name| std::env::var(name).ok()) {
        Ok(format) => startup::logging::init(format),
        Err(err) => {
            eprintln!("voortgang: {err}");
            return ExitCode::from(2);
        }
    }
    let cli = Cli::parse();
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => config().and_then(serve),
        Command::Openapi => {
            let api = http::openapi();
            println!(
                "{}",
                serde_json::to_string_pretty(&api).expect("the OpenAPI document serialises")
            );
            Ok(())
        }
        Command::Powerbi => {
            print!("{}", voortgang::exports::docs::powerbi_markdown());
            Ok(())
        }
        Command::Synth(args) => config().and_then(|config| generate(&config, &args)),
        Command::Token(TokenCommand::Create(args)) => {
            config().and_then(|config| create_token(&config, args))
        }
    };
    outcome.err().unwrap_or(ExitCode::SUCCESS)
}

/// The configuration, or exit code 2 with a message naming the variable.
fn config() -> Result<Config, ExitCode> {
    Config::from_env().map_err(|err| {
        eprintln!("voortgang: {err}");
        ExitCode::from(2)
    })
}

fn serve(config: Config) -> Result<(), ExitCode> {
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
            return Err(ExitCode::FAILURE);
        }
    }
    let listener = TcpListener::bind(config.listen).map_err(|err| {
        log::error!("cannot listen on VOORTGANG_LISTEN={}: {err}", config.listen);
        ExitCode::FAILURE
    })?;
    let options = ServerOptions {
        workers: None,
        shutdown_timeout: config.shutdown_timeout,
        handle_signals: true,
        auth: AuthSettings {
            public_read: config.public_read,
        },
        cors_origins: config.cors_origins.clone(),
        rate_limits: config.rate_limits,
        body_timeout: config.body_timeout,
        webhook_hosts: config.webhooks.hosts.clone(),
    };
    log::info!(
        "serving on http://{0}; Swagger UI at http://{0}/swagger-ui/",
        config.listen
    );
    // sends webhook messages until the server stops
    let worker = webhooks::worker::Worker::start(db.clone(), &config.webhooks);
    actix_web::rt::System::new()
        .block_on(async move { http::serve(listener, db, options)?.await })
        .map_err(|err| {
            log::error!("server failed: {err}");
            ExitCode::FAILURE
        })?;
    drop(worker);
    log::info!("stopped");
    Ok(())
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

/// `voortgang synth`: synthetic data for the benchmarks.
fn generate(config: &Config, args: &SynthArgs) -> Result<(), ExitCode> {
    let options = synth::Options {
        actions: args.actions,
        risks: args.risks,
        audits: args.audits,
        recommendations: args.recommendations,
        self_evaluations: args.self_evaluations,
        years: args.years,
        first_year: args.first_year,
        seed: args.seed,
    };
    let last = options.first_year + options.years - 1;
    if last > 2100 {
        eprintln!("voortgang: the years must lie within 2000 to 2100");
        return Err(ExitCode::from(2));
    }
    let summary = startup::prepare(config)
        .map_err(|e| e.to_string())
        .and_then(|()| startup::migrate(&config.database_url).map_err(|e| e.to_string()))
        .and_then(|mut conn| synth::generate(&mut conn, options).map_err(|e| e.to_string()))
        .map_err(|err| {
            eprintln!("voortgang: {err}");
            ExitCode::FAILURE
        })?;
    println!(
        "added {} actions with {} statuses, {} risks with {} assessments and {} audits with {} recommendations and {} of their statuses, {} self-evaluations with {} scores ({} to {last}, seed {})",
        summary.actions,
        summary.statuses,
        summary.risks,
        summary.assessments,
        summary.audits,
        summary.recommendations,
        summary.recommendation_statuses,
        summary.self_evaluations,
        summary.self_evaluation_scores,
        options.first_year,
        options.seed
    );
    Ok(())
}

/// `voortgang token create`: the way to the first token without the API.
fn create_token(config: &Config, args: TokenArgs) -> Result<(), ExitCode> {
    let new = NewToken {
        name: args.name,
        role: args.role,
        department_ids: args.departments,
        expires_at: None,
    };
    if let Err(err) = new.validate() {
        eprintln!("voortgang: {}", ApiError::from(err));
        return Err(ExitCode::from(2));
    }
    let (token, secret) = startup::migrate(&config.database_url)
        .map_err(|e| e.to_string())
        .and_then(|mut conn| {
            conn.transaction(|conn| {
                tokens::repo::create(conn, &Principal::system("command-line"), new)
            })
            .map_err(|e| e.to_string())
        })
        .map_err(|err| {
            eprintln!("voortgang: cannot create the token: {err}");
            ExitCode::FAILURE
        })?;
    println!("{secret}");
    eprintln!(
        "created the {} token `{}` (id {}); the secret above is shown only once",
        token.role.as_str(),
        token.name,
        token.id
    );
    Ok(())
}
