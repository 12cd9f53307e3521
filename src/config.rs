//! Configuration, read from the environment once at start-up.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `DATABASE_URL` | `postgres://postgres@127.0.0.1:5432/voortgang` | PostgreSQL connection URL; the database is created when it does not exist. On the database's own host, name its socket instead (`postgres:///voortgang?host=/var/run/postgresql&user=voortgang`): no TCP and no TLS, about a fifth more uncached reads per second |
//! | `VOORTGANG_LISTEN` | `127.0.0.1:8080` | address and port to serve on (`0.0.0.0:8080` in a container) |
//! | `VOORTGANG_DB_POOL_SIZE` | `8` | connections in the pool, at least 2 |
//! | `VOORTGANG_DB_TIMEOUT_SECS` | `2` | how long a request waits for a connection before it gets 503 (1-60) |
//! | `VOORTGANG_DB_STATEMENT_TIMEOUT_MS` | `5000` | longest a statement may run (100-600000); a request whose statement is cancelled gets 503 |
//! | `VOORTGANG_DEMO` | `auto` | `auto`: load the demo data (Mechelen's 2022 report) into an empty database; `off`: never |
//! | `VOORTGANG_SHUTDOWN_TIMEOUT_SECS` | `30` | how long SIGTERM waits for requests in flight before it stops (1-600) |
//! | `VOORTGANG_BODY_TIMEOUT_SECS` | `10` | how long a client may take to send a request body (1-300); slower is 408, so a trickled body cannot hold a connection |
//! | `VOORTGANG_PUBLIC_READ` | `false` | `true`: anonymous clients may read (an intranet behind its own gate); writes always need a token |
//! | `VOORTGANG_ADMIN_TOKEN` | unset | at least 32 characters: this value becomes an admin token (named `admin-from-environment`) at start-up, for automation and tests |
//! | `VOORTGANG_RATE_LIMIT` | `6000` | requests per minute per token (anonymous reads: per client address), bursts as large; `0` turns it off |
//! | `VOORTGANG_EXPENSIVE_PER_TOKEN` | `4` | expensive requests (searches with `q`, report assembly and documents, exports) one token (anonymous reads: one client address) may have in progress at once; more waits up to 2 s for a place, then 429, so one client cannot take the connection pool; `0` turns it off |
//! | `VOORTGANG_AUTH_FAILURE_LIMIT` | `30` | failed authentications per minute per client address before 429; `0` turns it off |
//! | `VOORTGANG_CORS_ORIGINS` | none | comma-separated exact origins (e.g. `https://intranet.mechelen.be`) whose pages may call the API from a browser; never `*` |
//! | `VOORTGANG_LOG_FORMAT` | `text` | `json`: one JSON object per log line (time, level, target, message, and the access log's fields such as `request_id`, `status`, `millis`), for log shippers |
//! | `VOORTGANG_WEBHOOK_HOSTS` | none | comma-separated host names or IP addresses that webhooks may reach over `http` and on private addresses (an intranet receiver); any other target must be `https` on a public address |
//! | `VOORTGANG_WEBHOOK_WORKERS` | `2` | threads of this instance that send webhook messages (0-16); `0`: this instance sends none (another does) |
//! | `VOORTGANG_WEBHOOK_TIMEOUT_SECS` | `10` | how long a receiver may take to answer a message (1-60) |
//! | `VOORTGANG_WEBHOOK_RETRY_SECS` | `10` | the wait before the first retry of a failed message (1-3600); each next wait doubles, up to an hour, with jitter |
//! | `VOORTGANG_WEBHOOK_GIVE_UP_SECS` | `86400` | how long a message is retried before it is `failed` and its subscription `failing` (60-604800) |
//! | `VOORTGANG_WEBHOOK_DEADLINE_DAYS` | `7` | how many days before a year's `collect_until` the `collection.deadline_near` notices go out (1-90) |
//! | `RUST_LOG` | `info` | log filter for env_logger, e.g. `voortgang=debug,actix_web=info` |
//!
//! An invalid value stops the start with a message that names the variable.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/voortgang";

/// Whether the demo data is loaded into an empty database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoMode {
    Auto,
    Off,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub listen: SocketAddr,
    pub db_pool_size: u32,
    pub db_timeout: Duration,
    pub db_statement_timeout: Duration,
    pub demo: DemoMode,
    pub shutdown_timeout: Duration,
    pub body_timeout: Duration,
    pub public_read: bool,
    pub admin_token: Option<String>,
    pub cors_origins: Vec<String>,
    pub rate_limits: RateLimits,
    pub log_format: LogFormat,
    pub webhooks: WebhookConfig,
}

/// How webhook messages are sent, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// Hosts that may be reached over `http` and on private addresses (`VOORTGANG_WEBHOOK_HOSTS`).
    pub hosts: Vec<String>,
    /// Sending threads of this instance.
    pub workers: u32,
    /// How long a receiver may take.
    pub timeout: Duration,
    /// The wait before the first retry.
    pub first_retry: Duration,
    /// How long a message is retried.
    pub give_up_after: Duration,
    /// Days before `collect_until` that the deadline notices go out.
    pub deadline_days: u32,
    /// How often the deadline notices are looked for (an hour; shorter in tests).
    pub deadline_every: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            hosts: Vec::new(),
            workers: 2,
            timeout: Duration::from_secs(10),
            first_retry: Duration::from_secs(10),
            give_up_after: Duration::from_secs(86_400),
            deadline_days: 7,
            deadline_every: Duration::from_secs(3600),
        }
    }
}

/// Requests allowed per minute (`0`: unlimited), as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Per token, or per client address for anonymous reads (`VOORTGANG_RATE_LIMIT`).
    pub per_token: u32,
    /// Failed authentications per client address (`VOORTGANG_AUTH_FAILURE_LIMIT`).
    pub auth_failures: u32,
    /// Expensive requests in progress at once per token, or per client address for anonymous
    /// reads (`VOORTGANG_EXPENSIVE_PER_TOKEN`).
    pub expensive_per_token: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            per_token: 6000,
            auth_failures: 30,
            expensive_per_token: 4,
        }
    }
}

/// How log lines are written (`VOORTGANG_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// env_logger's lines, for people.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

impl LogFormat {
    /// Reads `VOORTGANG_LOG_FORMAT` (`text`, the default, or `json`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        match lookup("VOORTGANG_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("") | Some("text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(other) => Err(ConfigError {
                variable: "VOORTGANG_LOG_FORMAT",
                message: format!("expected `text` or `json`, got `{other}`"),
            }),
        }
    }
}

/// A configuration value that cannot be used, naming its variable.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.variable, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        DatabaseUrl::parse(&database_url).map_err(|message| ConfigError {
            variable: "DATABASE_URL",
            message,
        })?;

        let listen = match var("VOORTGANG_LISTEN") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(value) => value.trim().parse().map_err(|_| ConfigError {
                variable: "VOORTGANG_LISTEN",
                message: format!(
                    "expected an address and port such as 0.0.0.0:8080, got `{value}`"
                ),
            })?,
        };

        let db_pool_size = number(&var, "VOORTGANG_DB_POOL_SIZE", 8, 2, 1000)?;
        let db_timeout = number(&var, "VOORTGANG_DB_TIMEOUT_SECS", 2, 1, 60)?;
        let db_statement_timeout = number(
            &var,
            "VOORTGANG_DB_STATEMENT_TIMEOUT_MS",
            5000,
            100,
            600_000,
        )?;
        let shutdown_timeout = number(&var, "VOORTGANG_SHUTDOWN_TIMEOUT_SECS", 30, 1, 600)?;
        let body_timeout = number(&var, "VOORTGANG_BODY_TIMEOUT_SECS", 10, 1, 300)?;

        let demo = match var("VOORTGANG_DEMO").as_deref().map(str::trim) {
            None | Some("auto") => DemoMode::Auto,
            Some("off") => DemoMode::Off,
            Some(other) => {
                return Err(ConfigError {
                    variable: "VOORTGANG_DEMO",
                    message: format!("expected `auto` or `off`, got `{other}`"),
                })
            }
        };

        let public_read = match var("VOORTGANG_PUBLIC_READ").as_deref().map(str::trim) {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(ConfigError {
                    variable: "VOORTGANG_PUBLIC_READ",
                    message: format!("expected `true` or `false`, got `{other}`"),
                })
            }
        };
        let admin_token = var("VOORTGANG_ADMIN_TOKEN");
        if admin_token
            .as_ref()
            .is_some_and(|t| t.chars().count() < 32 || t.trim() != t)
        {
            return Err(ConfigError {
                variable: "VOORTGANG_ADMIN_TOKEN",
                message: "must be at least 32 characters, without surrounding spaces".into(),
            });
        }

        let cors_origins = match var("VOORTGANG_CORS_ORIGINS") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(|o| {
                    origin(o).ok_or_else(|| ConfigError {
                        variable: "VOORTGANG_CORS_ORIGINS",
                        message: format!(
                            "`{o}` is not an origin: write scheme, host and port only, like `https://intranet.example.be` (no `*`, no path)"
                        ),
                    })
                })
                .collect::<Result<_, _>>()?,
        };

        let rate_limits = RateLimits {
            per_token: number(&var, "VOORTGANG_RATE_LIMIT", 6000, 0, 1_000_000)?,
            auth_failures: number(&var, "VOORTGANG_AUTH_FAILURE_LIMIT", 30, 0, 1_000_000)?,
            expensive_per_token: number(&var, "VOORTGANG_EXPENSIVE_PER_TOKEN", 4, 0, 1000)?,
        };

        let log_format = LogFormat::from_lookup(var)?;

        let hosts = match var("VOORTGANG_WEBHOOK_HOSTS") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(|h| {
                    let plain = h
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
                    plain
                        .then(|| h.to_ascii_lowercase())
                        .ok_or_else(|| ConfigError {
                            variable: "VOORTGANG_WEBHOOK_HOSTS",
                            message: format!(
                                "`{h}` is not a host name or IP address (no scheme, port or path)"
                            ),
                        })
                })
                .collect::<Result<_, _>>()?,
        };
        let secs = |n: u32| Duration::from_secs(n.into());
        let webhooks = WebhookConfig {
            hosts,
            workers: number(&var, "VOORTGANG_WEBHOOK_WORKERS", 2, 0, 16)?,
            timeout: secs(number(&var, "VOORTGANG_WEBHOOK_TIMEOUT_SECS", 10, 1, 60)?),
            first_retry: secs(number(&var, "VOORTGANG_WEBHOOK_RETRY_SECS", 10, 1, 3600)?),
            give_up_after: secs(number(
                &var,
                "VOORTGANG_WEBHOOK_GIVE_UP_SECS",
                86_400,
                60,
                604_800,
            )?),
            deadline_days: number(&var, "VOORTGANG_WEBHOOK_DEADLINE_DAYS", 7, 1, 90)?,
            ..WebhookConfig::default()
        };

        Ok(Self {
            webhooks,
            log_format,
            rate_limits,
            cors_origins,
            database_url,
            public_read,
            admin_token,
            listen,
            db_pool_size,
            db_timeout: Duration::from_secs(db_timeout.into()),
            db_statement_timeout: Duration::from_millis(db_statement_timeout.into()),
            demo,
            shutdown_timeout: Duration::from_secs(shutdown_timeout.into()),
            body_timeout: Duration::from_secs(body_timeout.into()),
        })
    }
}

/// `text` when it is exactly an http(s) origin: scheme, host and optional port.
fn origin(text: &str) -> Option<String> {
    let url = url::Url::parse(text).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let origin = url.origin().ascii_serialization();
    (origin == text).then_some(origin)
}

fn number(
    var: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, ConfigError> {
    let Some(value) = var(variable) else {
        return Ok(default);
    };
    match value.trim().parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(ConfigError {
            variable,
            message: format!("expected a whole number from {min} to {max}, got `{value}`"),
        }),
    }
}

/// A `postgres://` URL split where the service needs it, as libpq reads it: what comes before
/// the database (scheme, user, password, hosts), the database, and the parameters after `?`.
/// libpq takes URLs the `url` crate refuses, and so does this: a user with no host
/// (`postgres://voortgang@/voortgang`, the default socket), several hosts
/// (`postgres://db1,db2:5433/voortgang`), a socket directory as host (`%2Fvar%2Frun%2Fpostgresql`).
#[derive(Debug)]
pub struct DatabaseUrl<'a> {
    /// Scheme, `://` and what stands before the database's `/`.
    server: &'a str,
    /// The database, percent-decoded.
    name: String,
    /// `?` and the parameters, or nothing.
    parameters: &'a str,
}

impl<'a> DatabaseUrl<'a> {
    pub fn parse(text: &'a str) -> Result<Self, String> {
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| format!("expected a URL such as {DEFAULT_DATABASE_URL}"))?;
        if !matches!(scheme, "postgres" | "postgresql") {
            return Err(format!("expected a postgres:// URL, got scheme `{scheme}`"));
        }
        let hosts = rest.find(['/', '?']).unwrap_or(rest.len());
        let (server, tail) = text.split_at(scheme.len() + "://".len() + hosts);
        let (path, parameters) = tail.split_at(tail.find('?').unwrap_or(tail.len()));
        let name = percent_encoding::percent_decode_str(path.strip_prefix('/').unwrap_or(""))
            .decode_utf8()
            .map_err(|_| "the database name is not UTF-8".to_string())?;
        if name.is_empty() || name.contains('/') {
            return Err("the URL must name a database, e.g. .../voortgang".into());
        }
        Ok(Self {
            server,
            name: name.into_owned(),
            parameters,
        })
    }

    /// The database the URL names.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The same URL naming `database` instead (the server's `postgres` database, to create
    /// this one).
    pub fn with_database(&self, database: &str) -> String {
        let path =
            percent_encoding::utf8_percent_encode(database, percent_encoding::NON_ALPHANUMERIC);
        format!("{}/{path}{}", self.server, self.parameters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let config = config(&[]).unwrap();
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.db_pool_size, 8);
        assert_eq!(config.db_timeout, Duration::from_secs(2));
        assert_eq!(config.db_statement_timeout, Duration::from_secs(5));
        assert_eq!(config.demo, DemoMode::Auto);
        assert!(!config.public_read);
        assert_eq!(config.admin_token, None);
        assert!(config.cors_origins.is_empty());
        assert_eq!(config.rate_limits.per_token, 6000);
        assert_eq!(config.rate_limits.auth_failures, 30);
    }

    #[test]
    fn an_invalid_value_names_its_variable() {
        let cases = [
            ("VOORTGANG_DB_POOL_SIZE", "1"),
            ("VOORTGANG_DB_POOL_SIZE", "many"),
            ("VOORTGANG_DB_TIMEOUT_SECS", "0"),
            ("VOORTGANG_DB_STATEMENT_TIMEOUT_MS", "10"),
            ("VOORTGANG_LISTEN", "localhost"),
            ("VOORTGANG_DEMO", "yes"),
            ("VOORTGANG_SHUTDOWN_TIMEOUT_SECS", "-1"),
            ("DATABASE_URL", "mysql://localhost/voortgang"),
            ("DATABASE_URL", "postgres://localhost"),
            ("DATABASE_URL", "host=localhost"),
            ("DATABASE_URL", "postgres://localhost/"),
            ("DATABASE_URL", "postgres://localhost/a/b"),
            ("DATABASE_URL", "postgres://localhost/%FF"),
            ("VOORTGANG_PUBLIC_READ", "ja"),
            ("VOORTGANG_ADMIN_TOKEN", "te-kort"),
            ("VOORTGANG_CORS_ORIGINS", "*"),
            ("VOORTGANG_RATE_LIMIT", "-5"),
            ("VOORTGANG_AUTH_FAILURE_LIMIT", "veel"),
            ("VOORTGANG_CORS_ORIGINS", "https://intranet.example.be/"),
            (
                "VOORTGANG_CORS_ORIGINS",
                "https://intranet.example.be/pagina",
            ),
            ("VOORTGANG_CORS_ORIGINS", "intranet.example.be"),
            ("VOORTGANG_CORS_ORIGINS", "ftp://intranet.example.be"),
        ];
        for (variable, value) in cases {
            let err = config(&[(variable, value)]).unwrap_err();
            assert_eq!(err.variable, variable, "{value}");
            assert!(err.to_string().contains(variable));
        }
    }

    #[test]
    fn valid_values_are_used() {
        let config = config(&[
            (
                "DATABASE_URL",
                "postgresql://u:p@db:5433/other?sslmode=disable",
            ),
            ("VOORTGANG_LISTEN", "0.0.0.0:9000"),
            ("VOORTGANG_DB_POOL_SIZE", "2"),
            ("VOORTGANG_DEMO", "off"),
            (
                "VOORTGANG_CORS_ORIGINS",
                "https://intranet.example.be, http://localhost:3000",
            ),
        ])
        .unwrap();
        assert_eq!(
            config.cors_origins,
            ["https://intranet.example.be", "http://localhost:3000"]
        );
        assert_eq!(
            DatabaseUrl::parse(&config.database_url).unwrap().name(),
            "other"
        );
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.db_pool_size, 2);
        assert_eq!(config.demo, DemoMode::Off);
    }

    #[test]
    fn a_database_url_is_read_as_libpq_reads_it() {
        let cases = [
            ("postgres://postgres@127.0.0.1:5432/voortgang", "voortgang", "postgres://postgres@127.0.0.1:5432/postgres"),
            ("postgres://voortgang@/voortgang?host=/var/run/postgresql", "voortgang", "postgres://voortgang@/postgres?host=/var/run/postgresql"),
            ("postgres:///voortgang?host=/var/run/postgresql&user=voortgang", "voortgang", "postgres:///postgres?host=/var/run/postgresql&user=voortgang"),
            ("postgres://%2Fvar%2Frun%2Fpostgresql/voortgang", "voortgang", "postgres://%2Fvar%2Frun%2Fpostgresql/postgres"),
            ("postgresql://u:p%40ss@db1:5432,db2:5433/oc%20mechelen?target_session_attrs=read-write", "oc mechelen", "postgresql://u:p%40ss@db1:5432,db2:5433/postgres?target_session_attrs=read-write"),
        ];
        for (text, name, maintenance) in cases {
            let url = DatabaseUrl::parse(text).unwrap();
            assert_eq!(url.name(), name, "{text}");
            assert_eq!(url.with_database("postgres"), maintenance, "{text}");
        }
        let url = DatabaseUrl::parse("postgres://db/x").unwrap();
        assert_eq!(
            url.with_database("oc mechelen"),
            "postgres://db/oc%20mechelen"
        );
    }
}
