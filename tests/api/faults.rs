//! Database faults, on a private PostgreSQL cluster each test starts itself (initdb and pg_ctl
//! as the `postgres` user, on a port of its own), so the machine's shared server is never
//! stopped.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::startup::Service;

/// A PostgreSQL cluster of the test's own, stopped and removed when dropped.
struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl Cluster {
    fn init() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's server binaries are installed")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("pg_ctl").exists())
            .max()
            .expect("a PostgreSQL version with pg_ctl");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("voortgang-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        run(Command::new("chown").args(["postgres:postgres", dir.to_str().unwrap()]));
        let cluster = Self { bin, dir, port };
        cluster.as_postgres(
            "initdb",
            &[
                "-D",
                &cluster.data(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        cluster
    }

    fn data(&self) -> String {
        self.dir.join("data").to_string_lossy().into_owned()
    }

    fn as_postgres(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        run(Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(program)
            .args(args));
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log").to_string_lossy().into_owned();
        self.as_postgres(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
    }

    fn stop(&self) {
        self.as_postgres("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/voortgang", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(command: &mut Command) {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// One API read: its status, whether it was a problem document with `Retry-After`, and how
/// long it took.
async fn read(service: &Service, n: u32) -> (u16, bool, Duration) {
    read_at(&service.address, n).await
}

async fn read_at(address: &str, n: u32) -> (u16, bool, Duration) {
    let started = Instant::now();
    // distinct URLs: nothing kept in memory can answer
    let response = awc::Client::default()
        .get(format!("{address}/api/v1/domains?limit={}", 1 + n % 999))
        .bearer_auth(crate::helpers::ADMIN_TOKEN)
        .send()
        .await;
    let elapsed = started.elapsed();
    match response {
        Ok(response) => {
            let problem = response
                .headers()
                .get("content-type")
                .is_some_and(|v| v == "application/problem+json")
                && response.headers().contains_key("retry-after");
            (response.status().as_u16(), problem, elapsed)
        }
        Err(_) => (0, false, elapsed),
    }
}

async fn wait_ready(service: &Service, within: Duration) -> Duration {
    let started = Instant::now();
    while service.status("/health/ready").await != 200 {
        assert!(started.elapsed() < within, "not ready within {within:?}");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}

#[actix_web::test]
async fn a_database_outage_is_503_and_the_service_recovers_by_itself() {
    let _turn = crate::helpers::timed_alone().await;
    let cluster = Cluster::init();
    cluster.start();
    let mut service = Service::start(&cluster.url());
    wait_ready(&service, Duration::from_secs(60)).await;
    for n in 0..20 {
        assert_eq!(read(&service, n).await.0, 200);
    }

    cluster.stop();
    let stopped = Instant::now();
    // readiness turns 503 within 1.5 s
    let mut ready_503_after = None;
    while ready_503_after.is_none() {
        if service.status("/health/ready").await == 503 {
            ready_503_after = Some(stopped.elapsed());
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(5),
            "readiness stays 200"
        );
    }
    let ready_503_after = ready_503_after.unwrap();
    assert!(
        ready_503_after < Duration::from_millis(1500),
        "{ready_503_after:?}"
    );
    // under load (four clients): every request during the outage is a 503 problem with
    // Retry-After, within the pool timeout (1 s) and half a second; liveness stays 200
    let clients: Vec<_> = (0..4u32)
        .map(|client| {
            let address = service.address.clone();
            actix_web::rt::spawn(async move {
                let mut answers = Vec::new();
                let mut n = 1000 * (client + 1);
                while stopped.elapsed() < Duration::from_secs(4) {
                    answers.push(read_at(&address, n).await);
                    n += 1;
                }
                answers
            })
        })
        .collect();
    let mut during = 0;
    for client in clients {
        for (status, problem, took) in client.await.unwrap() {
            during += 1;
            assert_eq!(status, 503, "a request during the outage");
            assert!(problem, "a problem document with Retry-After");
            assert!(took < Duration::from_millis(1500), "answered in {took:?}");
        }
    }
    assert_eq!(service.status("/health/live").await, 200);
    let mut n = 100;

    cluster.start();
    let restarted = Instant::now();
    let mut first_success = None;
    while first_success.is_none() {
        let (status, _, _) = read(&service, n).await;
        n += 1;
        if status == 200 {
            first_success = Some(restarted.elapsed());
        } else {
            assert_eq!(status, 503);
            assert!(restarted.elapsed() < Duration::from_secs(5), "no recovery");
        }
    }
    let mut succeeded = 0;
    for _ in 0..100 {
        if read(&service, n).await.0 == 200 {
            succeeded += 1;
        }
        n += 1;
    }
    assert!(succeeded >= 99, "{succeeded} of 100 after the restart");
    eprintln!(
        "outage: {during} requests, all 503 problems; readiness 503 after {ready_503_after:?}; \
         first success {first_success:?} after the restart; {succeeded}/100 then"
    );

    // the pool (8), the readiness probe's connection and the change listener hold no more
    let mut conn = {
        use diesel::Connection;
        diesel::PgConnection::establish(&cluster.url()).unwrap()
    };
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let connections = {
        use diesel::RunQueryDsl;
        diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = 'voortgang' AND pid <> pg_backend_pid()",
        )
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n
    };
    assert!(connections <= 8 + 1 + 1, "{connections} connections");
    assert!(service.terminate().success());
}

#[actix_web::test]
async fn started_with_the_database_down_the_service_becomes_ready_when_it_comes_up() {
    let _turn = crate::helpers::timed_alone().await;
    let cluster = Cluster::init();
    let mut service = Service::start(&cluster.url());
    assert_eq!(service.status("/health/live").await, 200);
    assert_eq!(service.status("/health/ready").await, 503);
    assert_eq!(service.status("/api/v1/domains").await, 503);
    cluster.start();
    let took = wait_ready(&service, Duration::from_secs(30)).await;
    assert_eq!(service.status("/api/v1/domains").await, 200);
    eprintln!("ready {took:?} after the database came up");
    assert!(service.terminate().success());
}
