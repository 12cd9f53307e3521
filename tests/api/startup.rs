//! The `voortgang` binary itself: start-up, configuration errors, SIGTERM, the `openapi` command.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{connect, database_url, drop_database, fresh_database_name, ADMIN_TOKEN};

const BINARY: &str = env!("CARGO_BIN_EXE_voortgang");

/// The binary running as a child process, killed when dropped.
pub(crate) struct Service {
    child: Child,
    pub(crate) address: String,
    /// Where the process writes its errors, shown when it exits unsuccessfully.
    log: std::path::PathBuf,
}

impl Service {
    pub(crate) fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[("RUST_LOG", "error")])
    }

    /// Starts the binary with `env` on top of the settings every test uses.
    pub(crate) fn start_with(database_url: &str, env: &[(&str, &str)]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::env::temp_dir().join(format!("voortgang-test-service-{port}.log"));
        let stderr = std::fs::File::create(&log).expect("the log file is created");
        let child = Command::new(BINARY)
            .env("DATABASE_URL", database_url)
            .env("VOORTGANG_LISTEN", format!("127.0.0.1:{port}"))
            .env("VOORTGANG_DB_TIMEOUT_SECS", "1")
            .env("VOORTGANG_ADMIN_TOKEN", ADMIN_TOKEN)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("the binary starts");
        Self {
            child,
            address: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// The status of `GET path`, once the service accepts connections.
    pub(crate) async fn status(&self, path: &str) -> u16 {
        let client = awc::Client::default();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let request = client
                .get(format!("{}{path}", self.address))
                .bearer_auth(ADMIN_TOKEN);
            match request.send().await {
                Ok(response) => return response.status().as_u16(),
                Err(_) if Instant::now() < deadline => {
                    actix_web::rt::time::sleep(Duration::from_millis(100)).await
                }
                Err(e) => panic!("the service does not answer: {e}"),
            }
        }
    }

    /// Waits until `/health/ready` answers 200 (at most a minute).
    pub(crate) async fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.status("/health/ready").await != 200 {
            assert!(Instant::now() < deadline, "the service never became ready");
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn json(&self, path: &str) -> serde_json::Value {
        let mut response = awc::Client::default()
            .get(format!("{}{path}", self.address))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        serde_json::from_slice(&response.body().await.unwrap()).unwrap()
    }

    /// What the process has written to its standard error so far.
    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub(crate) fn terminate(&mut self) -> std::process::ExitStatus {
        self.signal_term();
        self.wait_exit()
    }

    /// `kill -9`: the process gets no chance to finish anything.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn signal_term(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                if !status.success() {
                    let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                    eprintln!("the service exited with {status}; its log:\n{log}");
                }
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the service did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

#[actix_web::test]
async fn a_fresh_start_creates_migrates_and_seeds_the_database_and_sigterm_exits_0() {
    let name = fresh_database_name();
    let mut service = Service::start(&database_url(&name));
    assert_eq!(service.status("/health/live").await, 200);
    service.ready().await;
    let domains = service.json("/api/v1/domains").await;
    assert_eq!(domains["items"].as_array().unwrap().len(), 7);

    let status = service.terminate();
    assert!(status.success(), "exit status {status:?}");
    drop(service);
    drop_database(&mut connect("postgres"), &name);
}

/// libpq reads URLs the `url` crate refuses; the service takes what libpq takes. Here a user
/// with no host, the server named by parameters, as a socket directory would be.
#[actix_web::test]
async fn a_database_url_with_a_user_and_no_host_is_created_and_served() {
    let name = fresh_database_name();
    let server = url::Url::parse(&database_url(&name)).unwrap();
    let mut parameters = format!("host={}", server.host_str().unwrap());
    if let Some(port) = server.port() {
        parameters.push_str(&format!("&port={port}"));
    }
    if let Some(password) = server.password() {
        parameters.push_str(&format!("&password={password}"));
    }
    let libpq_only = format!("postgres://{}@/{name}?{parameters}", server.username());
    assert!(url::Url::parse(&libpq_only).is_err(), "{libpq_only}");

    let mut service = Service::start(&libpq_only);
    service.ready().await;
    let domains = service.json("/api/v1/domains").await;
    assert_eq!(domains["items"].as_array().unwrap().len(), 7);
    assert!(service.terminate().success());
    drop(service);
    drop_database(&mut connect("postgres"), &name);
}

#[actix_web::test]
async fn a_request_in_flight_at_sigterm_completes_before_the_exit() {
    use diesel::connection::SimpleConnection;
    let name = fresh_database_name();
    let mut service = Service::start(&database_url(&name));
    service.ready().await;
    // another session holds the table, so the write below is in flight until it lets go
    let mut blocker = connect(&name);
    blocker
        .batch_execute("BEGIN; LOCK TABLE departments IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let url = format!("{}/api/v1/departments", service.address);
    let write = actix_web::rt::spawn(async move {
        let mut response = awc::Client::default()
            .post(url)
            .bearer_auth(ADMIN_TOKEN)
            .send_json(&serde_json::json!({"id": "laatste", "name": "Laatste"}))
            .await
            .expect("the write is answered");
        let body = response.body().await.unwrap();
        (response.status().as_u16(), body)
    });
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    service.signal_term();
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    blocker.batch_execute("ROLLBACK").unwrap();
    let (status, body) = write.await.unwrap();
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let exit = service.wait_exit();
    assert!(exit.success(), "exit status {exit:?}");
    let written: i64 = {
        use diesel::prelude::*;
        use voortgang::db::schema::departments;
        departments::table
            .filter(departments::id.eq("laatste"))
            .count()
            .get_result(&mut blocker)
            .unwrap()
    };
    assert_eq!(written, 1, "the acknowledged write is kept");
    drop(blocker);
    drop(service);
    drop_database(&mut connect("postgres"), &name);
}

#[actix_web::test]
async fn without_postgresql_the_service_starts_live_but_not_ready() {
    let mut service = Service::start("postgres://postgres@127.0.0.1:9/voortgang");
    assert_eq!(service.status("/health/live").await, 200);
    assert_eq!(service.status("/health/ready").await, 503);
    assert_eq!(service.status("/api/v1/domains").await, 503);
    assert!(service.terminate().success());
}

#[test]
fn an_invalid_setting_stops_the_start_naming_the_variable() {
    let output = Command::new(BINARY)
        .env("VOORTGANG_DB_POOL_SIZE", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("VOORTGANG_DB_POOL_SIZE"), "{stderr}");
}

#[test]
fn the_openapi_command_prints_the_committed_contract() {
    let output = Command::new(BINARY).arg("openapi").output().unwrap();
    assert!(output.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(printed, committed);
}

#[test]
fn an_unknown_command_prints_the_usage() {
    let output = Command::new(BINARY).arg("frobnicate").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unrecognized subcommand 'frobnicate'"),
        "{stderr}"
    );
    assert!(stderr.contains("Usage: voortgang"), "{stderr}");
}

#[test]
fn every_command_explains_itself_with_help() {
    for command in [
        &["--help"][..],
        &["serve", "--help"],
        &["openapi", "--help"],
        &["powerbi", "--help"],
        &["synth", "--help"],
        &["token", "--help"],
        &["token", "create", "--help"],
    ] {
        let output = Command::new(BINARY).args(command).output().unwrap();
        assert!(output.status.success(), "{command:?}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("Usage: voortgang"), "{command:?}: {stdout}");
    }
    let synth = Command::new(BINARY)
        .args(["synth", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&synth.stdout).contains("--first-year <FIRST_YEAR>"));
}

#[actix_web::test]
async fn the_token_command_creates_a_token_that_works() {
    let name = fresh_database_name();
    let output = Command::new(BINARY)
        .args([
            "token",
            "create",
            "--name",
            "eerste-beheerder",
            "--role",
            "admin",
        ])
        .env("DATABASE_URL", database_url(&name))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let secret = String::from_utf8(output.stdout).unwrap().trim().to_string();
    assert!(secret.starts_with("vgt_"), "{secret}");
    {
        let mut conn = connect(&name);
        let principal = voortgang::tokens::repo::authenticate(&mut conn, &secret)
            .unwrap()
            .expect("the printed secret authenticates");
        assert_eq!(principal.name, "eerste-beheerder");
        assert_eq!(principal.role, Some(voortgang::auth::Role::Admin));
    }
    let refused = Command::new(BINARY)
        .args(["token", "create", "--name", "x", "--role", "keizer"])
        .env("DATABASE_URL", database_url(&name))
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    drop_database(&mut connect("postgres"), &name);
}
