//! Every request is named by an id (response header, problem body, audit trail, access log),
//! and the access log never shows a secret.

use std::time::{Duration, Instant};

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::{connect, database_url, drop_database, fresh_database_name, send, TestApp};
use crate::startup::Service;

fn is_generated(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[actix_web::test]
async fn every_response_names_its_request_and_every_problem_quotes_it() {
    let app = TestApp::spawn().await;
    let live = app.get("/health/live").await;
    assert_eq!(live.status, 200);
    assert!(is_generated(live.header("x-request-id").unwrap()));

    for (method, path, status) in [
        (Method::GET, "/api/v1/nowhere", 404),
        (Method::PUT, "/api/v1/domains", 405),
        (Method::GET, "/api/v1/domains?limit=0", 400),
    ] {
        let response = send(app.request(method.clone(), path), None).await;
        let problem = response.problem(status);
        let id = response.header("x-request-id").unwrap();
        assert!(is_generated(id), "{method} {path}: {id}");
        assert_eq!(problem["request_id"], id, "{method} {path}");
    }
    let anonymous = send(
        app.request_as(Method::GET, "/api/v1/domains", None)
            .insert_header(("X-Request-Id", "gateway-7f3a.1")),
        None,
    )
    .await;
    let problem = anonymous.problem(401);
    assert_eq!(anonymous.header("x-request-id"), Some("gateway-7f3a.1"));
    assert_eq!(problem["request_id"], "gateway-7f3a.1");

    // an id that could forge or flood a log line is replaced
    for unsafe_id in ["two words", &"x".repeat(65), "a\"b"] {
        let response = send(
            app.request(Method::GET, "/health/live")
                .insert_header(("X-Request-Id", unsafe_id)),
            None,
        )
        .await;
        assert!(is_generated(response.header("x-request-id").unwrap()));
    }
}

#[actix_web::test]
async fn a_write_records_the_incoming_request_id_in_the_audit_trail() {
    let app = TestApp::with_domains(&["organisatiecultuur"]).await;
    let body = json!({"title": "Nieuw intranet", "domain_ids": ["organisatiecultuur"]});
    let created = send(
        app.request(Method::POST, "/api/v1/actions")
            .insert_header(("X-Request-Id", "intranet-42"))
            .content_type("application/json"),
        Some(body.to_string()),
    )
    .await;
    let action = created.ok_json(201);
    assert_eq!(created.header("x-request-id"), Some("intranet-42"));
    let events = app
        .get(&format!(
            "/api/v1/audit-events?entity_type=action&entity_id={}",
            action["id"]
        ))
        .await
        .ok_json(200);
    assert_eq!(events["items"][0]["request_id"], "intranet-42");
}

#[actix_web::test]
async fn json_access_logs_name_the_request_and_never_show_a_token() {
    let name = fresh_database_name();
    let mut service = Service::start_with(
        &database_url(&name),
        &[("RUST_LOG", "info"), ("VOORTGANG_LOG_FORMAT", "json")],
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while service.status("/health/ready").await != 200 {
        assert!(Instant::now() < deadline, "the service never became ready");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let leaked = "vgt_NotARealSecretButLooksLikeOne";
    let response = awc::Client::default()
        .get(format!(
            "{}/api/v1/domains?access_token={leaked}&q={leaked}&limit=5",
            service.address
        ))
        .insert_header(("X-Request-Id", "probe-1"))
        .send()
        .await
        .expect("the service answers");
    assert_eq!(response.status().as_u16(), 401);
    let status = service.terminate();
    assert!(status.success(), "exit status {status:?}");
    let log = service.log_text();
    assert!(!log.contains(leaked), "a secret reached the log:\n{log}");
    let lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let access = lines
        .iter()
        .find(|line| line["request_id"] == "probe-1")
        .unwrap_or_else(|| panic!("no access line for the request:\n{log}"));
    assert_eq!(access["target"], "voortgang::access");
    assert_eq!(access["status"], 401);
    assert_eq!(access["method"], "GET");
    assert_eq!(
        access["path"],
        "/api/v1/domains?access_token=[redacted]&q=[redacted]&limit=5"
    );
    assert!(access["message"].as_str().unwrap().contains("probe-1"));
    assert!(access["millis"].is_number(), "{access}");
    drop(service);
    drop_database(&mut connect("postgres"), &name);
}
