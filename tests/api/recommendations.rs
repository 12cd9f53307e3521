//! The recommendations of audits: registered by the coordinator, answered by the owning
//! department year by year, reviewed, locked by adoption, and summed up as Audit Vlaanderen
//! does.

use std::sync::atomic::Ordering;

use actix_web::http::Method;
use diesel::RunQueryDsl;
use serde_json::{json, Value};

use crate::helpers::{send, token, TestApp, TestResponse};

const DOMAIN: &str = "voorkomen-fraude-en-fouten";

async fn as_token(
    app: &TestApp,
    secret: &str,
    method: Method,
    path: &str,
    body: Value,
) -> TestResponse {
    let request = app
        .request_as(method, path, Some(secret))
        .insert_header(("Content-Type", "application/json"));
    send(request, Some(body.to_string())).await
}

pub(crate) async fn audit(app: &TestApp, title: &str) -> i64 {
    app.created_id(
        "/api/v1/audits",
        &json!({"auditor": "audit_vlaanderen", "title": title, "audited_on": "2022-10-04"}),
    )
    .await
}

pub(crate) async fn recommendation(app: &TestApp, audit: i64, body: Value) -> i64 {
    app.post_json(&format!("/api/v1/audits/{audit}/recommendations"), &body)
        .await
        .ok_json(201)["id"]
        .as_i64()
        .unwrap()
}

async fn departments(app: &TestApp) {
    for id in ["financien", "ict"] {
        app.post_json("/api/v1/departments", &json!({"id": id, "name": id}))
            .await
            .ok_json(201);
    }
}

#[actix_web::test]
async fn the_owning_department_answers_and_only_a_reviewer_accepts_the_risk() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    departments(&app).await;
    let fin = token(
        &app,
        json!({"name": "fin", "role": "editor", "department_ids": ["financien"]}),
    )
    .await;
    let ict = token(
        &app,
        json!({"name": "ict", "role": "editor", "department_ids": ["ict"]}),
    )
    .await;
    let coordinator = token(&app, json!({"name": "coordinator", "role": "reviewer"})).await;
    let plan = app.created_id("/api/v1/actions", &json!({"title": "Kassaprocedure", "domain_ids": [DOMAIN], "department_id": "financien"})).await;
    let audit = audit(&app, "Audit Financiën").await;
    // an editor does not register recommendations; the coordinator does
    as_token(
        &app,
        &fin,
        Method::POST,
        &format!("/api/v1/audits/{audit}/recommendations"),
        json!({"text": "X", "priority": "low"}),
    )
    .await
    .problem(403);
    let created = as_token(
        &app,
        &coordinator,
        Method::POST,
        &format!("/api/v1/audits/{audit}/recommendations"),
        json!({"text": "Formaliseer het beheer van kassa's.", "priority": "high",
               "department_id": "financien", "due_on": "2023-06-30", "action_ids": [plan]}),
    )
    .await;
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location").unwrap(),
        format!("/api/v1/recommendations/{id}")
    );
    let status = |year: i32| format!("/api/v1/recommendations/{id}/statuses/{year}");

    // the owning department answers; another department may not
    let answered = as_token(
        &app,
        &fin,
        Method::PUT,
        &status(2023),
        json!({"status": "partly_implemented", "note": "Procedure herschreven."}),
    )
    .await
    .ok_json(201);
    assert_eq!(answered["status"], "partly_implemented");
    assert_eq!(answered["review"], Value::Null, "2023 is not reviewed");
    as_token(
        &app,
        &ict,
        Method::PUT,
        &status(2023),
        json!({"status": "implemented"}),
    )
    .await
    .problem(403);
    // accepting the risk is the coordinator's decision, with a reason
    as_token(
        &app,
        &fin,
        Method::PUT,
        &status(2024),
        json!({"status": "risk_accepted", "note": "Te duur."}),
    )
    .await
    .problem(403);
    let problem = as_token(
        &app,
        &coordinator,
        Method::PUT,
        &status(2024),
        json!({"status": "risk_accepted"}),
    )
    .await
    .problem(422);
    assert_eq!(problem["errors"][0]["field"], "note");
    as_token(
        &app,
        &coordinator,
        Method::PUT,
        &status(2024),
        json!({"status": "risk_accepted", "note": "Kost weegt niet op tegen het risico."}),
    )
    .await
    .ok_json(201);

    let read = app
        .get(&format!("/api/v1/recommendations/{id}"))
        .await
        .ok_json(200);
    assert_eq!(read["action_ids"], json!([plan]));
    assert_eq!(read["statuses"].as_array().unwrap().len(), 2);
    let list = app
        .get("/api/v1/recommendations?year=2023&status=partly_implemented&q=kassa")
        .await
        .ok_json(200);
    assert_eq!(list["items"][0]["id"], id);
    let refused = app
        .delete(&format!("/api/v1/audits/{audit}"))
        .await
        .problem(409);
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("1 recommendation"),
        "{refused}"
    );
    app.get("/api/v1/recommendations?sort=title")
        .await
        .problem(400);
    let history = app
        .get(&format!("/api/v1/recommendations/{id}/history"))
        .await
        .ok_json(200);
    assert_eq!(history["items"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn the_summary_counts_a_known_set_in_audit_vlaanderens_categories() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    let first = audit(&app, "Organisatie-audit").await;
    let second = audit(&app, "Thema-audit").await;
    let mut put = Vec::new();
    for (audit, status, due_on) in [
        (first, Some("implemented"), Some("2023-06-30")),
        (first, Some("partly_implemented"), None),
        (first, Some("in_progress"), None),
        (first, Some("not_implemented"), Some("2023-06-30")),
        (second, Some("open"), Some("2024-01-01")),
        (second, None, None),
        (second, Some("risk_accepted"), Some("2023-01-31")),
    ] {
        let id = recommendation(
            &app,
            audit,
            json!({"text": format!("Aanbeveling {status:?}"), "priority": "medium", "due_on": due_on}),
        )
        .await;
        if let Some(status) = status {
            put.push((id, status));
        }
    }
    for (id, status) in put {
        app.put_json(
            &format!("/api/v1/recommendations/{id}/statuses/2023"),
            &json!({"status": status, "note": "Reden."}),
        )
        .await
        .ok_json(201);
    }
    let summary = app
        .get("/api/v1/recommendations/summary?year=2023")
        .await
        .ok_json(200);
    assert_eq!(
        summary["totals"],
        json!({"recommendations": 7, "fully": 1, "partly": 2, "not": 3, "risk_accepted": 1,
               "overdue": 1, "percent_fully": 17, "percent_partly": 33, "percent_not": 50})
    );
    assert_eq!(summary["audits"][0]["audit_id"], first);
    assert_eq!(summary["audits"][0]["percent_fully"], 25);
    assert_eq!(summary["audits"][1]["not"], 2);
    assert_eq!(summary["audits"][1]["overdue"], 0, "open is due in 2024");
    app.get("/api/v1/recommendations/summary")
        .await
        .problem(400);

    // the yearly report has the same counts and lists what is overdue
    app.put_json(
        "/api/v1/reports/2023",
        &json!({"title": "Voortgangsrapport 2023"}),
    )
    .await
    .ok_json(201);
    let report = app.get("/api/v1/reports/2023").await.ok_json(200);
    let section = &report["recommendations"];
    assert_eq!(section["label"], "Opvolging aanbevelingen");
    assert_eq!(section["counts"], summary["totals"]);
    let overdue: Vec<&str> = section["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["text"].as_str().unwrap())
        .collect();
    assert_eq!(overdue, ["Aanbeveling Some(\"not_implemented\")"]);
    let document = app.get("/api/v1/reports/2023/document").await;
    let html = String::from_utf8(document.body).unwrap();
    assert!(html.contains("<h2>Opvolging aanbevelingen</h2>"), "{html}");
    assert!(
        html.contains("vervaldag 30-06-2023; niet uitgevoerd"),
        "{html}"
    );
    let markdown = app
        .get("/api/v1/reports/2023/document?format=markdown")
        .await;
    let markdown = String::from_utf8(markdown.body).unwrap();
    assert!(
        markdown.contains("| Volledig uitgevoerd | 1 | 17% |"),
        "{markdown}"
    );
}

/// The items of 2023 the token `secret` still owes.
async fn worklist(app: &TestApp, secret: &str) -> Value {
    let request = app.request_as(Method::GET, "/api/v1/reports/2023/worklist", Some(secret));
    send(request, None).await.ok_json(200)["items"].clone()
}

/// How many recommendations were fully implemented in 2023, as the summary counts them.
async fn fully(app: &TestApp) -> Value {
    app.get("/api/v1/recommendations/summary?year=2023")
        .await
        .ok_json(200)["totals"]["fully"]
        .clone()
}

#[actix_web::test]
async fn statuses_are_reviewed_in_a_reviewed_year_and_locked_once_it_is_adopted() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    departments(&app).await;
    let fin = token(
        &app,
        json!({"name": "fin", "role": "editor", "department_ids": ["financien"]}),
    )
    .await;
    let coordinator = token(&app, json!({"name": "coordinator", "role": "reviewer"})).await;
    let audit = audit(&app, "Audit").await;
    let id = recommendation(
        &app,
        audit,
        json!({"text": "Aanbeveling", "priority": "low", "department_id": "financien"}),
    )
    .await;
    app.post_json(
        "/api/v1/reports/2023/open",
        &json!({"collect_until": "2099-01-31"}),
    )
    .await
    .ok_json(201);
    let path = format!("/api/v1/recommendations/{id}/statuses/2023");
    // the open recommendation is on the department's worklist
    let owed = worklist(&app, &fin).await;
    assert_eq!(owed.as_array().unwrap().len(), 1, "{owed}");
    assert_eq!(owed[0]["kind"], "recommendation_status");
    assert_eq!(owed[0]["missing"], "no_status");
    assert_eq!(owed[0]["answer"], path);
    let submitted = as_token(
        &app,
        &fin,
        Method::PUT,
        &path,
        json!({"status": "implemented"}),
    )
    .await
    .ok_json(201);
    assert_eq!(submitted["review"]["state"], "submitted");
    assert_eq!(worklist(&app, &fin).await, json!([]));
    // returned through the batch review, back on the worklist, answered again
    let batch = json!({"items": [{"kind": "recommendation_status", "id": id, "decision": "return",
                                  "note": "Bewijsstuk toevoegen."}]});
    as_token(
        &app,
        &coordinator,
        Method::POST,
        "/api/v1/reports/2023/review",
        batch,
    )
    .await
    .ok_json(200);
    let back = worklist(&app, &fin).await;
    assert_eq!(back[0]["state"], "returned");
    assert_eq!(back[0]["review_note"], "Bewijsstuk toevoegen.");
    as_token(
        &app,
        &fin,
        Method::PUT,
        &path,
        json!({"status": "implemented", "note": "Zie verslag."}),
    )
    .await
    .ok_json(200);
    assert_eq!(
        fully(&app).await,
        0,
        "a submitted status does not count yet"
    );
    as_token(
        &app,
        &fin,
        Method::POST,
        &format!("{path}/review"),
        json!({"decision": "approve"}),
    )
    .await
    .problem(403);
    let approved = as_token(
        &app,
        &coordinator,
        Method::POST,
        &format!("{path}/review"),
        json!({"decision": "approve"}),
    )
    .await
    .ok_json(200);
    assert_eq!(approved["review"]["state"], "approved");
    assert_eq!(fully(&app).await, 1);

    // adopted: the API and SQL alike are refused
    app.post_json("/api/v1/reports/2023/close", &json!(null))
        .await
        .ok_json(200);
    app.post_json("/api/v1/reports/2023/adopt", &json!({}))
        .await
        .ok_json(200);
    let locked = as_token(
        &app,
        &coordinator,
        Method::PUT,
        &path,
        json!({"status": "not_implemented"}),
    )
    .await
    .problem(409);
    assert!(
        locked["detail"].as_str().unwrap().contains("adopted"),
        "{locked}"
    );
    let mut conn = app.db();
    let refused = diesel::sql_query(
        "UPDATE recommendation_statuses SET status = 'not_implemented' WHERE year = 2023",
    )
    .execute(&mut conn)
    .expect_err("the adoption lock holds for SQL too")
    .to_string();
    assert!(refused.contains("adopted"), "{refused}");
    app.delete(&format!("/api/v1/recommendations/{id}"))
        .await
        .problem(409);
}

#[actix_web::test]
async fn a_page_of_recommendations_is_one_statement_whatever_its_length() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    let audit = audit(&app, "Audit").await;
    let mut conn = app.db();
    let count = crate::actions::counting(&mut conn);
    let page = |conn: &mut diesel::PgConnection| {
        let filter = voortgang::audits::recommendations::repo::RecommendationFilter {
            audit_id: None,
            department_id: None,
            priority: None,
            year: None,
            status: None,
            window: voortgang::api::listing::Window::new(None, None, None, Some(100), None)
                .unwrap(),
        };
        voortgang::audits::recommendations::repo::list(conn, filter)
            .unwrap()
            .0
            .len()
    };
    for n in 0..30 {
        let id = recommendation(
            &app,
            audit,
            json!({"text": format!("Aanbeveling {n}"), "priority": "low"}),
        )
        .await;
        for year in [2022, 2023] {
            app.put_json(
                &format!("/api/v1/recommendations/{id}/statuses/{year}"),
                &json!({"status": "in_progress"}),
            )
            .await
            .ok_json(201);
        }
        if n == 0 {
            assert_eq!(page(&mut conn), 1);
            assert_eq!(count.swap(0, Ordering::Relaxed), 1);
        }
    }
    assert_eq!(page(&mut conn), 30);
    assert_eq!(count.swap(0, Ordering::Relaxed), 1);
}

/// How many audit events the recommendation `id` has.
async fn events(app: &TestApp, id: i64) -> usize {
    app.get(&format!("/api/v1/recommendations/{id}/history"))
        .await
        .ok_json(200)["items"]
        .as_array()
        .unwrap()
        .len()
}

#[actix_web::test]
async fn a_script_upserts_recommendations_by_their_key_and_a_rerun_changes_nothing() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    let first = audit(&app, "Audit Financiën").await;
    let other = audit(&app, "Audit ICT").await;
    let path = "/api/v1/recommendations/by-ref/AUD-FIN-3";
    let body = json!({"audit_id": first, "text": "Formaliseer het beheer van kassa's.",
                      "priority": "high", "due_on": "2023-06-30",
                      "statuses": [{"year": 2022, "status": "open"},
                                   {"year": 2023, "status": "in_progress", "note": "Loopt."}]});
    let created = app.put_json(path, &body).await;
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_i64().unwrap();
    assert_eq!(created.json()["external_ref"], "AUD-FIN-3");
    assert_eq!(created.json()["statuses"].as_array().unwrap().len(), 2);
    let etag = created.header("etag").unwrap().to_string();
    let recorded = events(&app, id).await;
    assert_eq!(recorded, 3, "the recommendation and its two statuses");

    // the same again: nothing written, the same ETag
    let again = app.put_json(path, &body).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.header("etag").unwrap(), etag);
    assert_eq!(events(&app, id).await, recorded);

    // a change of one year's status writes that status only
    let mut changed = body.clone();
    changed["statuses"] = json!([{"year": 2023, "status": "implemented"}]);
    let updated = app.put_json(path, &changed).await.ok_json(200);
    let statuses = updated["statuses"].as_array().unwrap();
    assert_eq!(statuses[0]["status"], "open", "2022 stays");
    assert_eq!(statuses[1]["status"], "implemented");
    assert_eq!(events(&app, id).await, recorded + 1);

    let mut moved = body.clone();
    moved["audit_id"] = json!(other);
    assert_eq!(
        app.put_json(path, &moved).await.invalid_fields(),
        ["audit_id"]
    );
    let mut twice = body.clone();
    twice["statuses"] = json!([{"year": 2023, "status": "open"}, {"year": 2023, "status": "open"}]);
    assert_eq!(
        app.put_json(path, &twice).await.invalid_fields(),
        ["statuses"]
    );
}

#[test]
fn the_contract_states_the_length_a_recommendation_may_have() {
    let api: Value = serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    for schema in [
        "NewRecommendation",
        "RecommendationUpsert",
        "Recommendation",
        "OverdueRecommendation",
    ] {
        assert_eq!(
            api["components"]["schemas"][schema]["properties"]["text"]["maxLength"],
            voortgang::api::limits::NOTE_MAX,
            "{schema}"
        );
    }
}

#[actix_web::test]
async fn a_recommendation_holds_up_to_5000_characters() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    let audit = audit(&app, "Audit").await;
    let path = format!("/api/v1/audits/{audit}/recommendations");
    let long = "a".repeat(5000);
    app.post_json(&path, &json!({"text": long, "priority": "low"}))
        .await
        .ok_json(201);
    let longer = "a".repeat(5001);
    let refused = app
        .post_json(&path, &json!({"text": longer, "priority": "low"}))
        .await;
    assert_eq!(refused.invalid_fields(), ["text"]);
}

#[actix_web::test]
async fn a_yearly_row_created_by_put_answers_where_it_lives_for_every_kind() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    let action = app
        .created_id(
            "/api/v1/actions",
            &json!({"title": "Fraudebeleid", "domain_ids": [DOMAIN]}),
        )
        .await;
    let risk = app
        .created_id(
            "/api/v1/risks",
            &json!({"domain_id": DOMAIN, "title": "Fraude"}),
        )
        .await;
    let audit = audit(&app, "Organisatie-audit").await;
    let recommendation = recommendation(
        &app,
        audit,
        json!({"text": "Een fraudebeleid", "priority": "high"}),
    )
    .await;
    for (path, body) in [
        (
            format!("/api/v1/actions/{action}/statuses/2023"),
            json!({"status": "planned"}),
        ),
        (
            format!("/api/v1/risks/{risk}/assessments/2023"),
            json!({"likelihood": 2, "impact": 3, "status": "open"}),
        ),
        (
            format!("/api/v1/recommendations/{recommendation}/statuses/2023"),
            json!({"status": "in_progress"}),
        ),
    ] {
        let created = app.put_json(&path, &body).await;
        created.ok_json(201);
        assert_eq!(created.header("location"), Some(path.as_str()), "{path}");
        // the same PUT again replaces it: 200
        app.put_json(&path, &body).await.ok_json(200);
        app.get(&path).await.ok_json(200);
    }
}

#[actix_web::test]
async fn a_script_is_refused_what_a_registration_is_refused_and_told_the_same_member() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    let audit = audit(&app, "Audit").await;
    let valid = json!({"text": "Formaliseer het beheer van kassa's.", "priority": "high"});
    let cases = [
        ("text", json!("")),
        ("text", json!(" \n ")),
        ("text", json!("x".repeat(5001))),
        ("department_id", json!("Financiën")),
        ("due_on", json!("0999-01-01")),
        ("action_ids", json!((1..=101).collect::<Vec<i32>>())),
    ];
    for (member, value) in cases {
        let mut body = valid.clone();
        body[member] = value;
        assert_eq!(
            app.post_json(&format!("/api/v1/audits/{audit}/recommendations"), &body)
                .await
                .invalid_fields(),
            [member],
            "a registration with a bad {member}"
        );
        body["audit_id"] = json!(audit);
        assert_eq!(
            app.put_json("/api/v1/recommendations/by-ref/AUD-1", &body)
                .await
                .invalid_fields(),
            [member],
            "a scripted upsert with a bad {member}"
        );
    }
    assert_eq!(
        app.get("/api/v1/recommendations").await.ok_json(200)["items"],
        json!([]),
        "nothing was written"
    );
}
