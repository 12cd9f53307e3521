use std::time::{Duration, Instant};

use crate::helpers::{Setup, TestApp};

/// A server address where nothing listens.
fn unreachable_database() -> Setup {
    Setup {
        database_url: Some("postgres://postgres@127.0.0.1:9/voortgang".into()),
        db_timeout: Duration::from_secs(1),
        ..Setup::default()
    }
}

#[actix_web::test]
async fn liveness_answers_ok() {
    let app = TestApp::spawn().await;
    let body = app.get("/health/live").await.ok_json(200);
    assert_eq!(body["status"], "ok");
}

#[actix_web::test]
async fn readiness_answers_ok_when_the_database_answers() {
    let app = TestApp::spawn().await;
    let body = app.get("/health/ready").await.ok_json(200);
    assert_eq!(body["status"], "ok");
}

#[actix_web::test]
async fn without_a_database_liveness_stays_ok_and_readiness_is_503_with_retry_after() {
    let app = TestApp::spawn_with(unreachable_database()).await;
    assert_eq!(app.get("/health/live").await.ok_json(200)["status"], "ok");
    let ready = app.get("/health/ready").await;
    ready.problem(503);
    assert_eq!(ready.header("retry-after"), Some("5"));
}

#[actix_web::test]
async fn without_a_database_requests_get_503_within_the_pool_timeout() {
    let app = TestApp::spawn_with(unreachable_database()).await;
    let started = Instant::now();
    let response = app.get("/api/v1/domains").await;
    let problem = response.problem(503);
    assert_eq!(problem["type"], "urn:voortgang:problem:unavailable");
    assert!(response.header("retry-after").is_some());
    // the pool timeout is 1 s here; a hung request would take the client's 30 s
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[actix_web::test]
async fn a_statement_over_the_timeout_is_a_503_not_a_500() {
    use diesel::connection::SimpleConnection;
    let app = TestApp::spawn_with(crate::helpers::Setup {
        statement_timeout: std::time::Duration::from_millis(200),
        ..crate::helpers::Setup::default()
    })
    .await;
    // another session holds the table, so the service's insert waits past its timeout
    let mut blocker = app.db();
    blocker
        .batch_execute("BEGIN; LOCK TABLE departments IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let response = app
        .post_json(
            "/api/v1/departments",
            &serde_json::json!({"id": "traag", "name": "Traag"}),
        )
        .await;
    blocker.batch_execute("ROLLBACK").unwrap();
    let problem = response.problem(503);
    assert!(problem["detail"].as_str().unwrap().contains("too long"));
    assert_eq!(response.header("retry-after"), Some("5"));
    // nothing was written, and the service goes on
    assert_eq!(app.get("/api/v1/departments/traag").await.status, 404);
    app.post_json(
        "/api/v1/departments",
        &serde_json::json!({"id": "traag", "name": "Traag"}),
    )
    .await
    .ok_json(201);
}

#[actix_web::test]
async fn readiness_stays_200_while_requests_hold_every_pooled_connection() {
    use diesel::connection::SimpleConnection;
    let app = TestApp::spawn().await;
    let mut blocker = app.db();
    blocker
        .batch_execute("BEGIN; LOCK TABLE domains IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    // the pool has 2 connections here: two reads waiting on the lock hold both
    let pending: Vec<_> = (0..2)
        .map(|_| {
            let request = app.request(actix_web::http::Method::GET, "/api/v1/domains");
            actix_web::rt::spawn(crate::helpers::send(request, None))
        })
        .collect();
    app.until_waiting_on_locks(2).await;
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.ok_json(200)["status"], "ok");
    blocker.batch_execute("ROLLBACK").unwrap();
    for request in pending {
        assert_eq!(request.await.unwrap().status, 200);
    }
}

#[actix_web::test]
async fn a_probe_with_a_nul_in_its_uri_is_a_400_problem_as_the_contract_says() {
    let app = TestApp::spawn().await;
    for path in ["/health/live?x=%00", "/health/ready?x=%00"] {
        let problem = app.get(path).await.problem(400);
        assert!(
            problem["detail"].as_str().unwrap().contains("NUL"),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn a_pooled_connection_the_server_closed_costs_one_503_then_is_replaced() {
    use diesel::RunQueryDsl;
    let app = TestApp::with_demo().await;
    // two reads at once open both pooled connections
    let reads: Vec<_> = (1..=2)
        .map(|id| {
            let request = app.request(
                actix_web::http::Method::GET,
                &format!("/api/v1/actions/{id}"),
            );
            actix_web::rt::spawn(crate::helpers::send(request, None))
        })
        .collect();
    for read in reads {
        assert_eq!(read.await.unwrap().status, 200);
    }
    let pooled = app.backend_pids("application_name <> 'voortgang-listener'");
    let mut conn = app.db();
    assert!(!pooled.is_empty());
    for pid in &pooled {
        diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
            .execute(&mut conn)
            .unwrap();
    }
    // each closed connection fails the one request that meets it, as a 503 to retry, and is
    // dropped: the pool does not test a connection with a statement before handing it out
    let mut refused = 0;
    for n in 0..20 {
        let response = app.get(&format!("/api/v1/actions/1?n={n}")).await;
        if response.status == 503 {
            assert_eq!(response.header("retry-after"), Some("5"));
            response.problem(503);
            refused += 1;
        } else {
            assert_eq!(response.status, 200, "request {n}");
        }
    }
    assert!(
        (1..=pooled.len()).contains(&refused),
        "{refused} refused with {} pooled connections closed",
        pooled.len()
    );
}
