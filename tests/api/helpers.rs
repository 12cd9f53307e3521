//! `TestApp`: the real service on a loopback port, on a fresh database of its own.

use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::thread::JoinHandle;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::http::header::HeaderMap;
use actix_web::http::Method;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::MigrationHarness;
use serde_json::Value;

use voortgang::config::DEFAULT_DATABASE_URL;
use voortgang::db::Database;
use voortgang::http::auth::AuthSettings;
use voortgang::http::{self, ServerOptions};
use voortgang::startup::{quote_ident, MIGRATIONS};

/// The admin token every test database has; `TestApp` requests send it unless told otherwise.
pub const ADMIN_TOKEN: &str = "vgt_test-admin-0123456789abcdef0123456789abcdef";

/// The server the tests run on: `DATABASE_URL` without its database name.
pub fn database_url(name: &str) -> String {
    let base = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.into());
    voortgang::config::DatabaseUrl::parse(&base)
        .expect("DATABASE_URL is a postgres:// URL")
        .with_database(name)
}

pub fn connect(name: &str) -> PgConnection {
    PgConnection::establish(&database_url(name)).expect("the test PostgreSQL server answers")
}

pub fn execute(conn: &mut PgConnection, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
}

/// Drops databases left behind by test processes that no longer run (killed runs).
fn drop_stale_databases(conn: &mut PgConnection) {
    let names: Vec<Name> =
        diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'voortgang\\_t\\_%'")
            .load(conn)
            .expect("list databases");
    for Name { datname } in names {
        let pid = datname
            .split('_')
            .nth(2)
            .and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            drop_database(conn, &datname);
        }
    }
}

pub fn drop_database(conn: &mut PgConnection, name: &str) {
    let quoted = quote_ident(name);
    let _ = diesel::sql_query(format!("ALTER DATABASE {quoted} IS_TEMPLATE false")).execute(conn);
    execute(
        conn,
        &format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"),
    );
}

static TEMPLATE: OnceLock<String> = OnceLock::new();
static DEMO_TEMPLATE: OnceLock<String> = OnceLock::new();

extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
}

extern "C" fn drop_templates() {
    if let Ok(mut conn) = PgConnection::establish(&database_url("postgres")) {
        for name in [DEMO_TEMPLATE.get(), TEMPLATE.get()].into_iter().flatten() {
            drop_database(&mut conn, name);
        }
    }
}

/// The template every test database is cloned from: migrated once per test process and
/// dropped when the process exits.
fn template() -> &'static str {
    TEMPLATE.get_or_init(|| {
        let name = format!("voortgang_t_{}_template", std::process::id());
        let mut admin = connect("postgres");
        drop_stale_databases(&mut admin);
        execute(
            &mut admin,
            &format!("CREATE DATABASE {}", quote_ident(&name)),
        );
        {
            let mut conn = connect(&name);
            conn.run_pending_migrations(MIGRATIONS)
                .expect("migrations apply to an empty database");
            voortgang::tokens::repo::ensure_admin(&mut conn, "test-admin", ADMIN_TOKEN)
                .expect("the test admin token is stored");
        }
        execute(
            &mut admin,
            &format!("ALTER DATABASE {} IS_TEMPLATE true", quote_ident(&name)),
        );
        // SAFETY: registers a plain function without captured state.
        unsafe { atexit(drop_templates) };
        name
    })
}

/// The template with the demo data loaded, cloned from [`template`] once per test process.
fn demo_template() -> &'static str {
    DEMO_TEMPLATE.get_or_init(|| {
        let name = format!("voortgang_t_{}_demo", std::process::id());
        let mut admin = connect("postgres");
        execute(
            &mut admin,
            &format!(
                "CREATE DATABASE {} TEMPLATE {}",
                quote_ident(&name),
                quote_ident(template())
            ),
        );
        voortgang::startup::demo::load_if_empty(&mut connect(&name)).expect("the demo data loads");
        execute(
            &mut admin,
            &format!("ALTER DATABASE {} IS_TEMPLATE true", quote_ident(&name)),
        );
        name
    })
}

/// The tests that time moments (an outage, a kill in mid-batch, a race of writers) take
/// turns, so that they do not stretch each other's timings; the rest of the suite runs beside.
pub async fn timed_alone() -> tokio::sync::MutexGuard<'static, ()> {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    TURN.lock().await
}

/// A fresh database name owned by this process.
pub fn fresh_database_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "voortgang_t_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// How a test app is set up.
pub struct Setup {
    /// Load the demo data (Mechelen's 2022 report) into the test database.
    pub demo: bool,
    /// Serve against this URL instead of a fresh database (e.g. an unreachable server).
    pub database_url: Option<String>,
    pub pool_size: u32,
    pub db_timeout: Duration,
    /// Anonymous clients may read (`VOORTGANG_PUBLIC_READ`).
    pub public_read: bool,
    /// `VOORTGANG_CORS_ORIGINS`.
    pub cors_origins: Vec<String>,
    /// `VOORTGANG_DB_STATEMENT_TIMEOUT_MS`.
    pub statement_timeout: Duration,
    /// `VOORTGANG_RATE_LIMIT` and `VOORTGANG_AUTH_FAILURE_LIMIT`.
    pub rate_limits: voortgang::http::limits::RateLimits,
    /// `VOORTGANG_BODY_TIMEOUT_SECS`.
    pub body_timeout: Duration,
    /// The database at `database_url` is migrated (another test app serves it too).
    pub migrated: bool,
    /// Send webhook messages with these settings (none: no worker runs).
    pub webhooks: Option<voortgang::config::WebhookConfig>,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            demo: false,
            database_url: None,
            pool_size: 2,
            db_timeout: Duration::from_secs(2),
            public_read: false,
            cors_origins: Vec::new(),
            statement_timeout: Duration::from_secs(5),
            rate_limits: voortgang::http::limits::RateLimits::default(),
            body_timeout: Duration::from_secs(10),
            migrated: false,
            webhooks: None,
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub client: awc::Client,
    /// The database this app owns and drops, if any.
    pub db_name: Option<String>,
    handle: ServerHandle,
    server: Option<JoinHandle<()>>,
    /// The webhook sender, when the setup asked for one.
    worker: Option<voortgang::webhooks::worker::Worker>,
}

impl TestApp {
    /// The service on a fresh, migrated, empty database (themes only).
    pub async fn spawn() -> Self {
        Self::spawn_with(Setup::default()).await
    }

    /// The service on a fresh database holding the demo data.
    pub async fn with_demo() -> Self {
        Self::spawn_with(Setup {
            demo: true,
            ..Setup::default()
        })
        .await
    }

    pub async fn spawn_with(setup: Setup) -> Self {
        let (db_url, db_name) = match setup.database_url.clone() {
            Some(url) => (url, None),
            None => {
                let name = fresh_database_name();
                let template = if setup.demo {
                    demo_template()
                } else {
                    template()
                };
                let mut admin = connect("postgres");
                execute(
                    &mut admin,
                    &format!(
                        "CREATE DATABASE {} TEMPLATE {}",
                        quote_ident(&name),
                        quote_ident(template)
                    ),
                );
                (database_url(&name), Some(name))
            }
        };
        let db = Database::with_statement_timeout(
            &db_url,
            setup.pool_size,
            setup.db_timeout,
            setup.statement_timeout,
        );
        if db_name.is_some() || setup.migrated {
            db.set_prepared();
            // tests see the steady state: the change listener connected, caching on
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while db.changes().data().is_none() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        let worker = setup
            .webhooks
            .as_ref()
            .map(|config| voortgang::webhooks::worker::Worker::start(db.clone(), config));
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let address = format!("http://{}", listener.local_addr().unwrap());
        let options = ServerOptions {
            workers: Some(1),
            shutdown_timeout: Duration::from_secs(5),
            handle_signals: false,
            auth: AuthSettings {
                public_read: setup.public_read,
            },
            cors_origins: setup.cors_origins.clone(),
            rate_limits: setup.rate_limits,
            body_timeout: setup.body_timeout,
            webhook_hosts: setup
                .webhooks
                .as_ref()
                .map(|w| w.hosts.clone())
                .unwrap_or_default(),
        };
        let (sender, receiver) = std::sync::mpsc::channel();
        let server = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = http::serve(listener, db, options).expect("the server starts");
                sender.send(server.handle()).unwrap();
                server.await.expect("the server runs");
            })
        });
        let handle = receiver
            .recv()
            .expect("the server thread reports its handle");
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .disable_redirects()
            .finish();
        Self {
            address,
            client,
            db_name,
            handle,
            server: Some(server),
            worker,
        }
    }

    /// The service on a fresh database holding only the given control domains (no demo risks
    /// or actions), for tests that count what they create.
    pub async fn with_domains(ids: &[&str]) -> Self {
        let app = Self::spawn().await;
        for id in ids {
            let body = serde_json::json!({"id": id, "name": id});
            app.post_json("/api/v1/domains", &body).await.ok_json(201);
        }
        app
    }

    /// A direct connection to this app's database.
    pub fn db(&self) -> PgConnection {
        connect(self.db_name.as_deref().expect("this app owns a database"))
    }

    /// Waits until `n` sessions of this app's database wait on a lock (a test holds one and
    /// has sent requests that need it), so what the test does next happens while they wait.
    /// The backend pids of the sessions on this app's database (besides the caller's own)
    /// that `condition`, an SQL condition on `pg_stat_activity`, selects.
    pub fn backend_pids(&self, condition: &str) -> Vec<i32> {
        #[derive(diesel::QueryableByName)]
        struct Pid {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            pid: i32,
        }
        diesel::sql_query(format!(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND {condition}"
        ))
        .load::<Pid>(&mut self.db())
        .expect("pg_stat_activity is readable")
        .into_iter()
        .map(|p| p.pid)
        .collect()
    }

    pub async fn until_waiting_on_locks(&self, n: i64) {
        #[derive(QueryableByName)]
        struct Waiting {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut watcher = self.db();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let waiting = diesel::sql_query(
                "SELECT count(*) AS n FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            .get_result::<Waiting>(&mut watcher)
            .unwrap();
            if waiting.n >= n {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{} of {n} sessions waited on a lock",
                waiting.n
            );
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> TestResponse {
        let request = self
            .request(Method::PUT, path)
            .insert_header(("Content-Type", "application/json"));
        send(request, Some(body.to_string())).await
    }

    /// A request with the admin token.
    pub fn request(&self, method: Method, path: &str) -> awc::ClientRequest {
        self.request_as(method, path, Some(ADMIN_TOKEN))
    }

    /// A request with the given token, or none.
    pub fn request_as(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> awc::ClientRequest {
        let request = self
            .client
            .request(method, format!("{}{path}", self.address));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        send(self.request(Method::GET, path), None).await
    }

    pub async fn delete(&self, path: &str) -> TestResponse {
        send(self.request(Method::DELETE, path), None).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> TestResponse {
        let request = self
            .request(Method::POST, path)
            .insert_header(("Content-Type", "application/json"));
        send(request, Some(body.to_string())).await
    }

    /// POSTs `body` to `path`, expects 201 and gives the new item's `id`.
    pub async fn created_id(&self, path: &str, body: &Value) -> i64 {
        self.post_json(path, body).await.ok_json(201)["id"]
            .as_i64()
            .expect("the created item has an id")
    }

    pub async fn patch(&self, path: &str, body: &Value) -> TestResponse {
        let request = self
            .request(Method::PATCH, path)
            .insert_header(("Content-Type", "application/merge-patch+json"));
        send(request, Some(body.to_string())).await
    }
}

/// Creates a token as the admin and returns its secret.
pub async fn token(app: &TestApp, body: Value) -> String {
    let created = app.post_json("/api/v1/tokens", &body).await.ok_json(201);
    created["secret"].as_str().unwrap().to_string()
}

pub async fn send(request: awc::ClientRequest, body: Option<String>) -> TestResponse {
    send_bytes(request, body.map(String::into_bytes)).await
}

/// Sends `body` as it is (a workbook, say).
pub async fn send_bytes(request: awc::ClientRequest, body: Option<Vec<u8>>) -> TestResponse {
    let mut response = match body {
        Some(body) => request.send_body(body).await,
        None => request.send().await,
    }
    .expect("the request reaches the service");
    let body = response
        .body()
        .limit(64 * 1024 * 1024)
        .await
        .expect("the body is read");
    TestResponse {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: body.to_vec(),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        // the server runs on its own thread and runtime: stop it from a third thread
        let _ = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(handle.stop(false));
        })
        .join();
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
        drop(self.worker.take());
        if let Some(name) = &self.db_name {
            drop_database(&mut connect("postgres"), name);
        }
    }
}

/// What a client sees of a response.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts a JSON success with `status` and returns the body.
    pub fn ok_json(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.content_type(), "application/json");
        self.json()
    }

    /// Asserts an RFC 9457 problem with `status` and returns it.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.content_type(), "application/problem+json");
        let problem = self.json();
        assert_eq!(problem["status"], status);
        assert!(problem["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(problem["type"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(problem["detail"].as_str().is_some_and(|t| !t.is_empty()));
        problem
    }

    /// Asserts a 422 problem whose `errors` name exactly `fields`.
    pub fn invalid_fields(&self) -> Vec<String> {
        let problem = self.problem(422);
        problem["errors"]
            .as_array()
            .expect("a validation problem lists its errors")
            .iter()
            .map(|e| {
                assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
                e["field"].as_str().unwrap().to_string()
            })
            .collect()
    }
}

/// The titles of a page's or a report section's items, or of a list of sub-actions.
pub fn titles(list: &Value) -> Vec<&str> {
    let items = if list["items"].is_array() {
        &list["items"]
    } else {
        list
    };
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect()
}

/// The named statements a connection has prepared whose text mentions `needle`.
pub fn prepared_with(conn: &mut diesel::PgConnection, needle: &str) -> Vec<String> {
    use diesel::sql_types::Text;
    #[derive(diesel::QueryableByName)]
    struct Prepared {
        #[diesel(sql_type = Text)]
        statement: String,
    }
    diesel::RunQueryDsl::load::<Prepared>(
        diesel::sql_query(
            "SELECT statement FROM pg_prepared_statements WHERE strpos(statement, $1) > 0",
        )
        .bind::<Text, _>(needle),
        conn,
    )
    .unwrap()
    .into_iter()
    .map(|p| p.statement)
    .collect::<std::collections::BTreeSet<_>>()
    .into_iter()
    .collect()
}
