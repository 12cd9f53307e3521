//! Departments' scripts: upsert by external_ref, batches, dry runs.

use diesel::RunQueryDsl;
use serde_json::{json, Value};

use crate::helpers::TestApp;

const DOMAINS: &[&str] = &["voorkomen-fraude-en-fouten", "bereiken-doelstellingen"];

fn item(external_ref: &str, title: &str, status: &str) -> Value {
    json!({
        "external_ref": external_ref,
        "title": title,
        "domain_ids": ["voorkomen-fraude-en-fouten"],
        "statuses": [{"year": 2023, "status": status}]
    })
}

async fn event_count(app: &TestApp) -> usize {
    let page = app
        .get("/api/v1/audit-events?limit=1000")
        .await
        .ok_json(200);
    page["items"].as_array().unwrap().len()
}

#[actix_web::test]
async fn a_put_by_ref_creates_then_changes_then_changes_nothing() {
    let app = TestApp::with_domains(DOMAINS).await;
    let path = "/api/v1/actions/by-ref/FIN-2023-007";
    let body = json!({"title": "E-facturatie", "domain_ids": ["voorkomen-fraude-en-fouten"],
                      "statuses": [{"year": 2023, "status": "planned"}]});
    let created = app.put_json(path, &body).await;
    let action = created.ok_json(201);
    assert_eq!(action["external_ref"], "FIN-2023-007");
    assert_eq!(action["statuses"][0]["status"], "planned");
    let id = action["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/actions/{id}").as_str())
    );

    let events = event_count(&app).await;
    let again = app.put_json(path, &body).await;
    let etag = created.header("etag").unwrap();
    assert_eq!(again.ok_json(200)["id"], id);
    assert_eq!(
        again.header("etag"),
        Some(etag),
        "nothing changed: the same ETag"
    );
    assert_eq!(
        event_count(&app).await,
        events,
        "nothing changed: no audit event"
    );

    // statuses named replace their years; other years stay
    app.put_json(
        &format!("/api/v1/actions/{id}/statuses/2022"),
        &json!({"status": "planned"}),
    )
    .await
    .ok_json(201);
    let changed = app
        .put_json(path, &json!({"title": "E-facturatie (Peppol)", "domain_ids": ["voorkomen-fraude-en-fouten"],
                                "statuses": [{"year": 2023, "status": "in_progress", "progress": 40}]}))
        .await
        .ok_json(200);
    assert_eq!(changed["title"], "E-facturatie (Peppol)");
    let years: Vec<(i64, &str)> = changed["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["year"].as_i64().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(years, [(2022, "planned"), (2023, "in_progress")]);

    let mismatch = app.put_json(path, &json!({"external_ref": "ANDERS", "title": "X", "domain_ids": ["voorkomen-fraude-en-fouten"]})).await;
    assert_eq!(mismatch.invalid_fields(), ["external_ref"]);
    let twice = app
        .put_json(path, &json!({"title": "X", "domain_ids": ["voorkomen-fraude-en-fouten"],
                                "statuses": [{"year": 2023, "status": "planned"}, {"year": 2023, "status": "realised"}]}))
        .await;
    assert_eq!(twice.invalid_fields(), ["statuses"]);
}

#[actix_web::test]
async fn a_batch_is_all_or_nothing_and_re_running_it_changes_nothing() {
    let app = TestApp::with_domains(DOMAINS).await;
    let batch = json!({"items": [item("A-1", "Opvolgaudit financiële processen", "planned"), item("A-2", "E-facturatie", "in_progress")]});

    let dry = app
        .post_json(
            "/api/v1/actions/batch",
            &json!({"items": batch["items"], "dry_run": true}),
        )
        .await
        .ok_json(200);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["created"], 2);
    assert_eq!(
        app.get("/api/v1/actions").await.ok_json(200)["items"],
        json!([]),
        "a dry run writes nothing"
    );

    let first = app
        .post_json("/api/v1/actions/batch", &batch)
        .await
        .ok_json(200);
    assert_eq!(
        (
            first["created"].as_i64(),
            first["updated"].as_i64(),
            first["unchanged"].as_i64()
        ),
        (Some(2), Some(0), Some(0))
    );
    let events = event_count(&app).await;

    let second = app
        .post_json("/api/v1/actions/batch", &batch)
        .await
        .ok_json(200);
    let outcomes: Vec<&str> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["unchanged", "unchanged"]);
    assert_eq!(
        event_count(&app).await,
        events,
        "re-running writes no audit event"
    );

    let changed = json!({"items": [item("A-1", "Opvolgaudit financiële processen", "realised"), item("A-2", "E-facturatie", "in_progress")], "dry_run": true});
    let preview = app
        .post_json("/api/v1/actions/batch", &changed)
        .await
        .ok_json(200);
    assert_eq!(preview["items"][0]["outcome"], "updated");
    assert_eq!(preview["items"][0]["changes"][0]["field"], "statuses");
    assert_eq!(
        preview["items"][0]["changes"][0]["before"][0]["status"],
        "planned"
    );
    assert_eq!(
        preview["items"][0]["changes"][0]["after"][0]["status"],
        "realised"
    );
    assert_eq!(preview["items"][1]["outcome"], "unchanged");
    assert_eq!(event_count(&app).await, events, "a dry run records nothing");

    // one bad item: nothing is written, and the problem names it
    let bad = json!({"items": [item("A-3", "Nieuw", "planned"), {"external_ref": "A-4", "title": "", "domain_ids": ["voorkomen-fraude-en-fouten"]}]});
    let response = app.post_json("/api/v1/actions/batch", &bad).await;
    assert_eq!(response.invalid_fields(), ["items[1].title"]);
    let bad_link = json!({"items": [item("A-3", "Nieuw", "planned"), {"external_ref": "A-4", "title": "X", "domain_ids": ["onbekend"]}]});
    let response = app.post_json("/api/v1/actions/batch", &bad_link).await;
    assert_eq!(response.invalid_fields(), ["items[1].domain_ids"]);
    let all = app.get("/api/v1/actions").await.ok_json(200);
    assert_eq!(
        all["items"].as_array().unwrap().len(),
        2,
        "the failed batches wrote nothing"
    );
    assert_eq!(event_count(&app).await, events);

    let duplicate = json!({"items": [item("A-5", "X", "planned"), item("A-5", "Y", "planned")]});
    assert_eq!(
        app.post_json("/api/v1/actions/batch", &duplicate)
            .await
            .invalid_fields(),
        ["items[1].external_ref"]
    );
    let missing = json!({"items": [{"title": "X", "domain_ids": ["voorkomen-fraude-en-fouten"]}]});
    assert_eq!(
        app.post_json("/api/v1/actions/batch", &missing)
            .await
            .invalid_fields(),
        ["items[0].external_ref"]
    );
    let empty = app
        .post_json("/api/v1/actions/batch", &json!({"items": []}))
        .await;
    assert_eq!(empty.invalid_fields(), ["items"]);
}

#[actix_web::test]
async fn an_editor_batch_with_one_foreign_item_writes_nothing() {
    let app = TestApp::with_domains(DOMAINS).await;
    for id in ["financien", "ict"] {
        app.post_json("/api/v1/departments", &json!({"id": id, "name": id}))
            .await
            .ok_json(201);
    }
    let secret = app
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "financien-script", "role": "editor", "department_ids": ["financien"]}),
        )
        .await
        .ok_json(201)["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let mut own = item("F-1", "E-facturatie", "planned");
    own["department_id"] = json!("financien");
    let mut foreign = item("I-1", "Migratie Topdesk", "planned");
    foreign["department_id"] = json!("ict");
    let response = crate::helpers::send(
        app.request_as(
            actix_web::http::Method::POST,
            "/api/v1/actions/batch",
            Some(&secret),
        )
        .insert_header(("Content-Type", "application/json")),
        Some(json!({"items": [own.clone(), foreign]}).to_string()),
    )
    .await;
    let problem = response.problem(403);
    assert!(problem["detail"].as_str().unwrap().contains("items[1]"));
    assert_eq!(
        app.get("/api/v1/actions").await.ok_json(200)["items"],
        json!([])
    );

    let response = crate::helpers::send(
        app.request_as(
            actix_web::http::Method::POST,
            "/api/v1/actions/batch",
            Some(&secret),
        )
        .insert_header(("Content-Type", "application/json")),
        Some(json!({"items": [own]}).to_string()),
    )
    .await;
    assert_eq!(response.ok_json(200)["created"], 1);
    let trail = app
        .get("/api/v1/audit-events?actor=financien-script")
        .await
        .ok_json(200);
    assert_eq!(
        trail["items"].as_array().unwrap().len(),
        2,
        "the action and its 2023 status"
    );
}

#[actix_web::test]
async fn an_idempotency_key_returns_the_first_answer_without_a_second_write() {
    let app = TestApp::with_domains(DOMAINS).await;
    let post = |key: &'static str, body: Value| {
        crate::helpers::send(
            app.request(actix_web::http::Method::POST, "/api/v1/actions")
                .insert_header(("Content-Type", "application/json"))
                .insert_header(("Idempotency-Key", key)),
            Some(body.to_string()),
        )
    };
    let body = json!({"title": "Nieuw intranet", "domain_ids": ["bereiken-doelstellingen"]});
    let first = post("sleutel-1", body.clone()).await;
    let created = first.ok_json(201);
    let retry = post("sleutel-1", body.clone()).await;
    assert_eq!(retry.ok_json(201), created);
    assert_eq!(retry.header("location"), first.header("location"));
    assert_eq!(retry.header("etag"), first.header("etag"));
    let all = app.get("/api/v1/actions").await.ok_json(200);
    assert_eq!(all["items"].as_array().unwrap().len(), 1, "written once");

    let other_body = post(
        "sleutel-1",
        json!({"title": "Ander", "domain_ids": ["bereiken-doelstellingen"]}),
    )
    .await;
    assert_eq!(other_body.invalid_fields(), ["Idempotency-Key"]);
    post("sleutel-2", body.clone()).await.ok_json(201);

    // while a request with the key runs (its lock is held), a retry is 409
    let mut holder = app.db();
    diesel::sql_query("SELECT pg_advisory_lock(hashtextextended('test-admin:sleutel-3', 0))")
        .execute(&mut holder)
        .unwrap();
    post("sleutel-3", body.clone()).await.problem(409);
    // released explicitly: a closed connection's session ends in the server a moment later
    diesel::sql_query("SELECT pg_advisory_unlock(hashtextextended('test-admin:sleutel-3', 0))")
        .execute(&mut holder)
        .unwrap();
    drop(holder);
    post("sleutel-3", body).await.ok_json(201);

    let bad = crate::helpers::send(
        app.request(actix_web::http::Method::POST, "/api/v1/risks")
            .insert_header(("Content-Type", "application/json"))
            .insert_header(("Idempotency-Key", "")),
        Some(json!({"domain_id": "bereiken-doelstellingen", "title": "X"}).to_string()),
    )
    .await;
    bad.problem(400);
}

#[actix_web::test]
async fn a_batch_retried_with_its_key_is_not_applied_twice() {
    let app = TestApp::with_domains(DOMAINS).await;
    let batch = json!({"items": [item("B-1", "E-facturatie", "planned")]});
    let send_batch = || {
        crate::helpers::send(
            app.request(actix_web::http::Method::POST, "/api/v1/actions/batch")
                .insert_header(("Content-Type", "application/json"))
                .insert_header(("Idempotency-Key", "nacht-2023-06-07")),
            Some(batch.to_string()),
        )
    };
    let first = send_batch().await.ok_json(200);
    assert_eq!(first["created"], 1);
    let retry = send_batch().await.ok_json(200);
    assert_eq!(retry, first, "the stored answer, not a new run");
}

#[actix_web::test]
async fn a_script_is_refused_what_a_create_is_refused_and_told_the_same_member() {
    let app = TestApp::with_domains(DOMAINS).await;
    let valid = json!({"external_ref": "FIN-1", "title": "E-facturatie", "domain_ids": ["voorkomen-fraude-en-fouten"]});
    let cases = [
        ("external_ref", json!("")),
        ("external_ref", json!("FIN\n1")),
        ("title", json!("x".repeat(301))),
        ("description", json!("x".repeat(20_001))),
        ("domain_ids", json!([])),
        ("domain_ids", json!(vec!["voorkomen-fraude-en-fouten"; 21])),
        ("risk_ids", json!((1..=101).collect::<Vec<i32>>())),
        ("theme_codes", json!(vec!["FIM"; 12])),
        ("department_id", json!("Financiën")),
        ("plan_ref", json!("x".repeat(101))),
    ];
    for (member, value) in cases {
        let mut body = valid.clone();
        body[member] = value;
        assert_eq!(
            app.post_json("/api/v1/actions", &body)
                .await
                .invalid_fields(),
            [member],
            "a create with a bad {member}"
        );
        assert_eq!(
            app.put_json("/api/v1/actions/by-ref/FIN-1", &body)
                .await
                .invalid_fields(),
            [member],
            "a scripted upsert with a bad {member}"
        );
        assert_eq!(
            app.post_json("/api/v1/actions/batch", &json!({"items": [body]}))
                .await
                .invalid_fields(),
            [format!("items[0].{member}")],
            "a batch item with a bad {member}"
        );
    }
    assert_eq!(
        app.get("/api/v1/actions").await.ok_json(200)["items"],
        json!([]),
        "nothing was written"
    );
}

#[actix_web::test]
async fn a_scripted_status_is_refused_what_a_status_put_is_refused() {
    let app = TestApp::with_domains(DOMAINS).await;
    let id = app
        .created_id(
            "/api/v1/actions",
            &json!({"external_ref": "FIN-1", "title": "E-facturatie", "domain_ids": ["voorkomen-fraude-en-fouten"]}),
        )
        .await;
    let cases = [
        ("progress", json!(-1)),
        ("progress", json!(101)),
        ("note", json!("x".repeat(5001))),
    ];
    for (member, value) in cases {
        let mut status = json!({"status": "in_progress"});
        status[member] = value;
        assert_eq!(
            app.put_json(&format!("/api/v1/actions/{id}/statuses/2023"), &status)
                .await
                .invalid_fields(),
            [member],
            "a PUT of the status with a bad {member}"
        );
        status["year"] = json!(2023);
        let body = json!({"title": "E-facturatie", "domain_ids": ["voorkomen-fraude-en-fouten"], "statuses": [status]});
        assert_eq!(
            app.put_json("/api/v1/actions/by-ref/FIN-1", &body)
                .await
                .invalid_fields(),
            [format!("statuses[0].{member}")],
            "a scripted status with a bad {member}"
        );
    }
    assert_eq!(
        app.get(&format!("/api/v1/actions/{id}")).await.ok_json(200)["statuses"],
        json!([]),
        "no status was written"
    );
}
