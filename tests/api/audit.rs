//! The audit trail: exactly one event per actual change, in the write's transaction.

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::TestApp;

fn events_of(page: &Value) -> Vec<(String, String, String)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["operation"].as_str().unwrap().to_string(),
                e["entity_type"].as_str().unwrap().to_string(),
                e["entity_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn trail(app: &TestApp) -> Vec<(String, String, String)> {
    events_of(
        &app.get("/api/v1/audit-events?limit=1000")
            .await
            .ok_json(200),
    )
}

#[actix_web::test]
async fn every_change_leaves_one_event_and_a_change_of_nothing_none() {
    let app = TestApp::with_domains(&["organisatiecultuur"]).await;
    let before = trail(&app).await.len();
    let response = app
        .post_json(
            "/api/v1/actions",
            &json!({"title": "Nieuw intranet", "domain_ids": ["organisatiecultuur"]}),
        )
        .await;
    let action = response.ok_json(201);
    let request_id = response.header("x-request-id").unwrap().to_string();
    let id = action["id"].as_i64().unwrap();
    let path = format!("/api/v1/actions/{id}");

    app.patch(&path, &json!({"title": "Nieuw intranet (fase 2)"}))
        .await
        .ok_json(200);
    app.patch(&path, &json!({"title": "Nieuw intranet (fase 2)"}))
        .await
        .ok_json(200);
    app.put_json(
        &format!("{path}/statuses/2023"),
        &json!({"status": "planned"}),
    )
    .await
    .ok_json(201);
    app.put_json(
        &format!("{path}/statuses/2023"),
        &json!({"status": "planned"}),
    )
    .await
    .ok_json(200);
    app.put_json(
        &format!("{path}/statuses/2023"),
        &json!({"status": "realised"}),
    )
    .await
    .ok_json(200);
    assert_eq!(app.delete(&path).await.status, 204);

    let events = trail(&app).await;
    let id = id.to_string();
    let status = format!("{id}/2023");
    assert_eq!(
        events[before..].to_vec(),
        [
            ("create".into(), "action".into(), id.clone()),
            ("update".into(), "action".into(), id.clone()),
            ("create".into(), "action_status".into(), status.clone()),
            ("update".into(), "action_status".into(), status.clone()),
            ("delete".into(), "action_status".into(), status),
            ("delete".into(), "action".into(), id.clone()),
        ]
    );

    let page = app
        .get(&format!(
            "/api/v1/audit-events?entity_type=action&entity_id={id}"
        ))
        .await
        .ok_json(200);
    let first = &page["items"][0];
    assert_eq!(first["actor"], "test-admin");
    assert_eq!(first["before"], Value::Null);
    assert_eq!(first["after"]["title"], "Nieuw intranet");
    assert_eq!(first["request_id"], request_id.as_str());
    let update = &page["items"][1];
    assert_eq!(update["before"]["title"], "Nieuw intranet");
    assert_eq!(update["after"]["title"], "Nieuw intranet (fase 2)");
    assert_eq!(page["items"][2]["after"], Value::Null);
}

#[actix_web::test]
async fn a_failed_write_leaves_no_event() {
    let app = TestApp::with_domains(&["organisatiecultuur"]).await;
    let action = app
        .post_json(
            "/api/v1/actions",
            &json!({"title": "A", "domain_ids": ["organisatiecultuur"], "external_ref": "A-1"}),
        )
        .await
        .ok_json(201);
    let before = trail(&app).await;
    app.post_json(
        "/api/v1/actions",
        &json!({"title": "B", "domain_ids": ["organisatiecultuur"], "external_ref": "A-1"}),
    )
    .await
    .problem(409);
    app.post_json(
        "/api/v1/actions",
        &json!({"title": "", "domain_ids": ["organisatiecultuur"]}),
    )
    .await
    .problem(422);
    let path = format!("/api/v1/actions/{}", action["id"]);
    app.patch(&path, &json!({"parent_id": action["id"]}))
        .await
        .problem(422);
    app.patch(&path, &json!({"domain_ids": ["onbekend"]}))
        .await
        .problem(422);
    app.delete("/api/v1/domains/organisatiecultuur")
        .await
        .problem(409);
    assert_eq!(trail(&app).await, before);
}

#[actix_web::test]
async fn the_trail_is_append_only_even_in_sql() {
    let app = TestApp::with_domains(&["organisatiecultuur"]).await;
    assert!(!trail(&app).await.is_empty());
    let mut conn = app.db();
    for sql in [
        "UPDATE audit_events SET actor = 'iemand anders'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        assert!(
            diesel::sql_query(sql).execute(&mut conn).is_err(),
            "accepted: {sql}"
        );
    }
    let actors: Vec<String> = voortgang::db::schema::audit_events::table
        .select(voortgang::db::schema::audit_events::actor)
        .load(&mut conn)
        .unwrap();
    assert!(actors.iter().all(|a| a == "test-admin"));
}

#[actix_web::test]
async fn the_history_of_a_risk_shows_its_assessments_newest_first() {
    let app = TestApp::with_domains(&["organisatiecultuur"]).await;
    let risk = app
        .post_json(
            "/api/v1/risks",
            &json!({"domain_id": "organisatiecultuur", "title": "Hoge werkdruk"}),
        )
        .await
        .ok_json(201);
    let id = risk["id"].as_i64().unwrap();
    app.put_json(
        &format!("/api/v1/risks/{id}/assessments/2022"),
        &json!({"status": "open"}),
    )
    .await
    .ok_json(201);
    app.put_json(
        &format!("/api/v1/risks/{id}/assessments/2023"),
        &json!({"status": "monitoring", "likelihood": 2, "impact": 3}),
    )
    .await
    .ok_json(201);
    let history = app
        .get(&format!("/api/v1/risks/{id}/history"))
        .await
        .ok_json(200);
    assert_eq!(
        events_of(&history),
        [
            (
                "create".into(),
                "risk_assessment".into(),
                format!("{id}/2023")
            ),
            (
                "create".into(),
                "risk_assessment".into(),
                format!("{id}/2022")
            ),
            ("create".into(), "risk".into(), id.to_string()),
        ]
    );
    assert_eq!(history["items"][0]["after"]["level"], "medium");
    let paged = app
        .get(&format!("/api/v1/risks/{id}/history?limit=2"))
        .await
        .ok_json(200);
    let rest = app.get(paged["next"].as_str().unwrap()).await.ok_json(200);
    assert_eq!(
        events_of(&rest),
        [("create".into(), "risk".into(), id.to_string())]
    );
    app.get("/api/v1/risks/999999/history").await.problem(404);

    let by_actor = app
        .get("/api/v1/audit-events?actor=niemand")
        .await
        .ok_json(200);
    assert_eq!(by_actor["items"], json!([]));
    let future = app
        .get("/api/v1/audit-events?since=2100-01-01T00:00:00Z")
        .await
        .ok_json(200);
    assert_eq!(future["items"], json!([]));
    let past = app
        .get("/api/v1/audit-events?until=2000-01-01T00:00:00Z")
        .await
        .ok_json(200);
    assert_eq!(past["items"], json!([]));
}

#[actix_web::test]
async fn the_events_of_api_tokens_and_webhooks_are_for_admins_only() {
    let app = TestApp::spawn().await;
    app.post_json(
        "/api/v1/webhooks",
        &json!({"url": "https://intranet.example.be/hooks", "event_types": ["ping"]}),
    )
    .await
    .ok_json(201);
    let reader = app
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "lezer", "role": "reader"}),
        )
        .await
        .ok_json(201);
    let secret = reader["secret"].as_str().unwrap();
    let as_reader = |path: &str| {
        crate::helpers::send(
            app.request_as(actix_web::http::Method::GET, path, Some(secret)),
            None,
        )
    };
    let admin_sees: Vec<String> = trail(&app).await.into_iter().map(|(_, t, _)| t).collect();
    assert!(admin_sees.iter().any(|t| t == "token"), "{admin_sees:?}");
    assert!(admin_sees.iter().any(|t| t == "webhook"), "{admin_sees:?}");

    let page = as_reader("/api/v1/audit-events?limit=1000")
        .await
        .ok_json(200);
    let reader_sees: Vec<String> = events_of(&page).into_iter().map(|(_, t, _)| t).collect();
    assert!(
        !reader_sees.iter().any(|t| t == "token" || t == "webhook"),
        "{reader_sees:?}"
    );
    for kind in ["token", "webhook"] {
        as_reader(&format!("/api/v1/audit-events?entity_type={kind}"))
            .await
            .problem(403);
        app.get(&format!("/api/v1/audit-events?entity_type={kind}"))
            .await
            .ok_json(200);
    }
}

#[actix_web::test]
async fn each_event_names_the_token_by_id_so_look_alike_names_stay_apart() {
    let app = TestApp::with_domains(&["ict"]).await;
    app.post_json("/api/v1/departments", &json!({"id": "ict", "name": "ICT"}))
        .await
        .ok_json(201);
    let mut tokens = Vec::new();
    for name in ["ict-script", "ICT-script"] {
        let token = app
            .post_json(
                "/api/v1/tokens",
                &json!({"name": name, "role": "editor", "department_ids": ["ict"]}),
            )
            .await
            .ok_json(201);
        let id = token["id"].as_i64().unwrap();
        let secret = token["secret"].as_str().unwrap().to_string();
        let request = app
            .request_as(
                actix_web::http::Method::POST,
                "/api/v1/actions",
                Some(&secret),
            )
            .insert_header(("Content-Type", "application/json"));
        let body = json!({"title": format!("Actie van {name}"), "domain_ids": ["ict"], "department_id": "ict"});
        crate::helpers::send(request, Some(body.to_string()))
            .await
            .ok_json(201);
        tokens.push(id);
    }
    for id in &tokens {
        let page = app
            .get(&format!("/api/v1/audit-events?actor_id={id}"))
            .await
            .ok_json(200);
        let events = page["items"].as_array().unwrap();
        assert_eq!(events.len(), 1, "{page}");
        assert_eq!(events[0]["actor_id"], json!(id));
        assert_eq!(events[0]["entity_type"], "action");
    }
    // the admin token's own writes carry its own id
    let all = app
        .get("/api/v1/audit-events?limit=1000")
        .await
        .ok_json(200);
    let created_tokens: Vec<&Value> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity_type"] == "token")
        .collect();
    assert_eq!(created_tokens.len(), 2);
    assert!(created_tokens.iter().all(|e| e["actor_id"]
        .as_i64()
        .is_some_and(|id| !tokens.contains(&id))));
}
