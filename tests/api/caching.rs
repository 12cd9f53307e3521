//! Reads kept in memory until the data changes, and tokens kept until they change.

use std::time::{Duration, Instant};

use actix_web::http::Method;
use diesel::RunQueryDsl;
use serde_json::json;

use crate::helpers::{send, TestApp};

fn sql(app: &TestApp, statement: &str) {
    diesel::sql_query(statement)
        .execute(&mut app.db())
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

#[actix_web::test]
async fn a_read_is_answered_from_memory_until_the_data_changes() {
    let app = TestApp::with_demo().await;
    let first = app.get("/api/v1/domains/organisatiecultuur").await;
    assert_eq!(first.status, 200);
    // without the table, only memory can answer (DDL changes no data and says nothing)
    sql(&app, "ALTER TABLE criteria RENAME TO criteria_away");
    let kept = app.get("/api/v1/domains/organisatiecultuur").await;
    sql(&app, "ALTER TABLE criteria_away RENAME TO criteria");
    assert_eq!(kept.status, 200);
    assert_eq!(kept.body, first.body);
    assert_eq!(kept.header("etag"), first.header("etag"));
    let etag = first.header("etag").unwrap();
    let revalidated = send(
        app.request(Method::GET, "/api/v1/domains/organisatiecultuur")
            .insert_header(("If-None-Match", etag)),
        None,
    )
    .await;
    assert_eq!(revalidated.status, 304);

    // a write through the service is read back at once
    app.patch(
        "/api/v1/domains/organisatiecultuur",
        &json!({"name": "Cultuur van de organisatie"}),
    )
    .await
    .ok_json(200);
    let read = app
        .get("/api/v1/domains/organisatiecultuur")
        .await
        .ok_json(200);
    assert_eq!(read["name"], "Cultuur van de organisatie");

    // a change in SQL, outside the service, within moments of its commit
    sql(
        &app,
        "UPDATE domains SET name = 'Organisatiecultuur' WHERE id = 'organisatiecultuur'",
    );
    let started = Instant::now();
    loop {
        let read = app
            .get("/api/v1/domains/organisatiecultuur")
            .await
            .ok_json(200);
        if read["name"] == "Organisatiecultuur" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "the change was not heard"
        );
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
}

#[actix_web::test]
async fn a_token_revoked_outside_the_service_is_refused_within_moments() {
    let app = TestApp::spawn().await;
    let created = app
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "script", "role": "reader"}),
        )
        .await
        .ok_json(201);
    let secret = created["secret"].as_str().unwrap();
    let read = || {
        send(
            app.request_as(Method::GET, "/api/v1/domains", Some(secret)),
            None,
        )
    };
    assert_eq!(read().await.status, 200);
    assert_eq!(read().await.status, 200);
    sql(
        &app,
        "UPDATE api_tokens SET revoked_at = now() WHERE name = 'script'",
    );
    let started = Instant::now();
    loop {
        let response = read().await;
        if response.status == 401 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "the revocation was not heard"
        );
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
    // revoked through the API: refused at once
    let other = app
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "tweede", "role": "reader"}),
        )
        .await
        .ok_json(201);
    let second = other["secret"].as_str().unwrap();
    let use_second = || {
        send(
            app.request_as(Method::GET, "/api/v1/domains", Some(second)),
            None,
        )
    };
    assert_eq!(use_second().await.status, 200);
    app.delete(&format!("/api/v1/tokens/{}", other["id"])).await;
    assert_eq!(use_second().await.status, 401);
}

/// The backend pids of this database's change listener sessions.
fn listener_pids(app: &TestApp) -> Vec<i32> {
    app.backend_pids("application_name = 'voortgang-listener'")
}

#[actix_web::test]
async fn after_the_listener_lost_its_connection_nothing_kept_before_is_served() {
    let app = TestApp::with_demo().await;
    let before = listener_pids(&app);
    assert_eq!(before.len(), 1, "one listener session: {before:?}");
    let first = app.get("/api/v1/domains/organisatiecultuur").await;
    assert_eq!(first.status, 200);

    sql(&app, &format!("SELECT pg_terminate_backend({})", before[0]));
    // a new session appears only after the listener noticed the old one was gone
    let started = Instant::now();
    loop {
        let now = listener_pids(&app);
        if now.len() == 1 && now != before {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the listener did not reconnect: {now:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    // only the database could answer now, and without the table it cannot
    sql(&app, "ALTER TABLE criteria RENAME TO criteria_away");
    let after = app.get("/api/v1/domains/organisatiecultuur").await;
    sql(&app, "ALTER TABLE criteria_away RENAME TO criteria");
    assert_ne!(
        after.status, 200,
        "a response kept before the loss was served"
    );
    let again = app.get("/api/v1/domains/organisatiecultuur").await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body, first.body);
}
