//! The register of audits: what was audited, by whom, and the actions that follow from it.

use std::sync::atomic::Ordering;

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::{send, token, TestApp};

const DOMAINS: &[&str] = &["voorkomen-fraude-en-fouten", "betrouwbare-informatie"];

async fn action(app: &TestApp, title: &str) -> i64 {
    app.created_id(
        "/api/v1/actions",
        &json!({"title": title, "domain_ids": [DOMAINS[0]]}),
    )
    .await
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

#[actix_web::test]
async fn a_reviewer_registers_an_audit_with_what_it_concerned_and_its_action_plan() {
    let app = TestApp::with_domains(DOMAINS).await;
    let plan = action(&app, "Uitvoeren actieplan na audit informatiebeheer").await;
    let coordinator = token(&app, json!({"name": "coordinator", "role": "reviewer"})).await;
    let body = json!({
        "auditor": "other", "auditor_name": "Audio", "title": "Audit informatiebeheer",
        "audited_on": "2022-05-17", "reference": "AUD-IB-2022",
        "report_url": "https://intranet.mechelen.be/audits/informatiebeheer.pdf",
        "theme_codes": ["ico", "ORG"], "domain_ids": [DOMAINS[1]], "action_ids": [plan]
    });
    let request = app
        .request_as(Method::POST, "/api/v1/audits", Some(&coordinator))
        .insert_header(("Content-Type", "application/json"));
    let created = send(request, Some(body.to_string())).await;
    assert_eq!(created.status, 201);
    let location = created.header("location").unwrap().to_string();
    let audit = created.json();
    assert_eq!(location, format!("/api/v1/audits/{}", audit["id"]));
    assert_eq!(audit["auditor"], "other");
    assert_eq!(audit["auditor_name"], "Audio");
    assert_eq!(audit["theme_codes"], json!(["ICO", "ORG"]));
    assert_eq!(audit["domain_ids"], json!([DOMAINS[1]]));
    assert_eq!(audit["action_ids"], json!([plan]));
    let read = app.get(&location).await;
    assert_eq!(read.json(), audit);
    let etag = read.header("etag").unwrap().to_string();

    // lists filter by auditor, domain, theme, action and Dutch search without accents
    let other = app
        .post_json(
            "/api/v1/audits",
            &json!({"auditor": "audit_vlaanderen", "title": "Organisatie-audit Financiën",
                    "domain_ids": [DOMAINS[0]], "theme_codes": ["FIM"]}),
        )
        .await
        .ok_json(201);
    let (first, second) = (audit["id"].as_i64().unwrap(), other["id"].as_i64().unwrap());
    for (query, expected) in [
        ("", vec![first, second]),
        ("?auditor=audit_vlaanderen", vec![second]),
        (&format!("?domain_id={}", DOMAINS[1]) as &str, vec![first]),
        ("?theme=fim", vec![second]),
        (&format!("?action_id={plan}"), vec![first]),
        ("?q=financien", vec![second]),
        ("?q=audio", vec![first]),
        ("?sort=-id&limit=1", vec![second]),
    ] {
        let page = app
            .get(&format!("/api/v1/audits{query}"))
            .await
            .ok_json(200);
        assert_eq!(ids(&page), expected, "{query}");
    }

    // a merge patch: null removes, a list replaces; a stale If-Match changes nothing
    let patch = |body: Value, if_match: Option<&str>| {
        let mut request = app
            .request(Method::PATCH, &location)
            .insert_header(("Content-Type", "application/merge-patch+json"));
        if let Some(tag) = if_match {
            request = request.insert_header(("If-Match", tag.to_string()));
        }
        send(request, Some(body.to_string()))
    };
    let changed = patch(
        json!({"auditor_name": null, "action_ids": [], "theme_codes": ["ICO"]}),
        Some(&etag),
    )
    .await
    .ok_json(200);
    assert_eq!(changed["auditor_name"], Value::Null);
    assert_eq!(changed["action_ids"], json!([]));
    assert_eq!(changed["theme_codes"], json!(["ICO"]));
    assert_eq!(changed["title"], "Audit informatiebeheer");
    patch(json!({"title": "Te laat"}), Some(&etag))
        .await
        .problem(412);

    // the history has each write; a delete leaves the actions and is in the trail
    let history = app.get(&format!("{location}/history")).await.ok_json(200);
    let operations: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations, ["update", "create"]);
    assert_eq!(history["items"][1]["actor"], "coordinator");
    assert_eq!(app.delete(&location).await.status, 204);
    app.get(&location).await.problem(404);
    app.get(&format!("/api/v1/actions/{plan}"))
        .await
        .ok_json(200);
    let trail = app
        .get(&format!(
            "/api/v1/audit-events?entity_type=audit&entity_id={first}"
        ))
        .await
        .ok_json(200);
    let operations: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations, ["create", "update", "delete"]);
}

#[actix_web::test]
async fn an_audit_is_checked_before_it_is_written() {
    let app = TestApp::with_domains(DOMAINS).await;
    let editor = token(&app, json!({"name": "lezer", "role": "reader"})).await;
    let request = app
        .request_as(Method::POST, "/api/v1/audits", Some(&editor))
        .insert_header(("Content-Type", "application/json"));
    send(
        request,
        Some(json!({"auditor": "other", "title": "X"}).to_string()),
    )
    .await
    .problem(403);
    let bad = app
        .post_json(
            "/api/v1/audits",
            &json!({"auditor": "other", "title": "", "report_url": "javascript:alert(1)",
                    "audited_on": "1999-12-31"}),
        )
        .await;
    assert_eq!(bad.invalid_fields(), ["audited_on", "report_url", "title"]);
    let unknown = app
        .post_json(
            "/api/v1/audits",
            &json!({"auditor": "other", "title": "X", "theme_codes": ["NOPE"]}),
        )
        .await;
    assert_eq!(unknown.invalid_fields(), ["theme_codes"]);
    let unknown = app
        .post_json(
            "/api/v1/audits",
            &json!({"auditor": "other", "title": "X", "action_ids": [999]}),
        )
        .await;
    assert_eq!(unknown.invalid_fields(), ["action_ids"]);
    let kind = app
        .post_json(
            "/api/v1/audits",
            &json!({"auditor": "gemeente", "title": "X"}),
        )
        .await;
    assert_eq!(kind.invalid_fields(), ["auditor"]);
    let audit =
        json!({"auditor": "internal_audit", "title": "Audit burgerzaken", "external_ref": "AUD-1"});
    app.post_json("/api/v1/audits", &audit).await.ok_json(201);
    let taken = app.post_json("/api/v1/audits", &audit).await.problem(409);
    assert!(
        taken["detail"].as_str().unwrap().contains("AUD-1"),
        "{taken}"
    );
}

#[actix_web::test]
async fn a_page_of_audits_is_one_statement_whatever_its_length() {
    let app = TestApp::with_domains(DOMAINS).await;
    let plan = action(&app, "Actieplan").await;
    let mut conn = app.db();
    let count = crate::actions::counting(&mut conn);
    let page = |conn: &mut diesel::PgConnection| {
        let filter = voortgang::audits::repo::AuditFilter {
            auditor: None,
            domain_id: None,
            theme: None,
            action_id: None,
            window: voortgang::api::listing::Window::new(None, None, None, Some(100), None)
                .unwrap(),
        };
        voortgang::audits::repo::list(conn, filter).unwrap().0.len()
    };
    app.post_json(
        "/api/v1/audits",
        &json!({"auditor": "other", "title": "Eén", "action_ids": [plan], "theme_codes": ["FIM"]}),
    )
    .await
    .ok_json(201);
    assert_eq!(page(&mut conn), 1);
    assert_eq!(count.swap(0, Ordering::Relaxed), 1);
    for n in 0..40 {
        app.post_json(
            "/api/v1/audits",
            &json!({"auditor": "other", "title": format!("Audit {n}"), "action_ids": [plan],
                    "domain_ids": DOMAINS, "theme_codes": ["FIM", "ICO"]}),
        )
        .await
        .ok_json(201);
    }
    assert_eq!(page(&mut conn), 41);
    assert_eq!(count.swap(0, Ordering::Relaxed), 1);
}
