use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::{send, titles, TestApp};

/// The domains these tests link to; the demo's risks and actions stay out of the counts.
const DOMAINS: &[&str] = &[
    "organisatiecultuur",
    "bereiken-doelstellingen",
    "efficient-gebruik-middelen",
    "betrouwbare-informatie",
    "bescherming-activa",
];

async fn create(app: &TestApp, body: Value) -> Value {
    app.post_json("/api/v1/risks", &body).await.ok_json(201)
}

async fn put_assessment(app: &TestApp, risk: i64, year: i32, body: Value) -> (u16, Value) {
    let response = send(
        app.request(
            Method::PUT,
            &format!("/api/v1/risks/{risk}/assessments/{year}"),
        )
        .insert_header(("Content-Type", "application/json")),
        Some(body.to_string()),
    )
    .await;
    let status = response.status;
    (status, response.ok_json(status))
}

#[actix_web::test]
async fn a_risk_is_created_read_changed_and_deleted() {
    let app = TestApp::with_domains(DOMAINS).await;
    app.post_json(
        "/api/v1/departments",
        &json!({"id": "personeel", "name": "Personeel"}),
    )
    .await
    .ok_json(201);
    let response = app
        .post_json(
            "/api/v1/risks",
            &json!({"domain_id": "organisatiecultuur", "title": "Hoge werkdruk",
                    "department_id": "personeel", "theme_codes": ["HRM", "CUL", "HRM"]}),
        )
        .await;
    let risk = response.ok_json(201);
    let id = risk["id"].as_i64().unwrap();
    assert_eq!(
        response.header("location"),
        Some(format!("/api/v1/risks/{id}").as_str())
    );
    assert_eq!(risk["theme_codes"], json!(["CUL", "HRM"]));
    assert_eq!(risk["assessments"], json!([]));
    assert_eq!(risk["description"], Value::Null);

    let changed = app
        .patch(
            &format!("/api/v1/risks/{id}"),
            &json!({"description": "Te veel taken per medewerker.", "department_id": null, "theme_codes": ["HRM"]}),
        )
        .await
        .ok_json(200);
    assert_eq!(changed["description"], "Te veel taken per medewerker.");
    assert_eq!(changed["department_id"], Value::Null);
    assert_eq!(changed["theme_codes"], json!(["HRM"]));
    assert_eq!(changed["title"], "Hoge werkdruk");

    let response = app.delete(&format!("/api/v1/risks/{id}")).await;
    assert_eq!(response.status, 204);
    app.get(&format!("/api/v1/risks/{id}")).await.problem(404);
}

#[actix_web::test]
async fn links_to_missing_rows_are_refused_naming_the_field() {
    let app = TestApp::with_domains(DOMAINS).await;
    let response = app
        .post_json(
            "/api/v1/risks",
            &json!({"domain_id": "onbekend", "title": "X"}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["domain_id"]);
    let response = app
        .post_json(
            "/api/v1/risks",
            &json!({"domain_id": "organisatiecultuur", "title": "X", "department_id": "geen-dienst"}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["department_id"]);
    let response = app
        .post_json(
            "/api/v1/risks",
            &json!({"domain_id": "organisatiecultuur", "title": "X", "theme_codes": ["XYZ"]}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["theme_codes"]);
    let response = app
        .post_json(
            "/api/v1/risks",
            &json!({"domain_id": "organisatiecultuur", "title": "X", "id": 5, "created_at": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(response.problem(422)["errors"][0]["field"], "id");
}

#[actix_web::test]
async fn assessments_are_set_per_year_with_a_derived_score_and_level() {
    let app = TestApp::with_domains(DOMAINS).await;
    let risk = create(
        &app,
        json!({"domain_id": "organisatiecultuur", "title": "Hoge werkdruk"}),
    )
    .await;
    let id = risk["id"].as_i64().unwrap();

    let (status, created) = put_assessment(
        &app,
        id,
        2022,
        json!({"status": "open", "likelihood": 4, "impact": 3}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(created["score"], 12);
    assert_eq!(created["level"], "high");

    let (status, replaced) = put_assessment(&app, id, 2022, json!({"status": "monitoring"})).await;
    assert_eq!(status, 200);
    assert_eq!(replaced["score"], Value::Null);
    assert_eq!(replaced["level"], Value::Null);
    assert_eq!(replaced["likelihood"], Value::Null);

    put_assessment(
        &app,
        id,
        2023,
        json!({"status": "mitigated", "likelihood": 5, "impact": 5, "note": "Opgevolgd"}),
    )
    .await;
    let list = app
        .get(&format!("/api/v1/risks/{id}/assessments"))
        .await
        .ok_json(200);
    let years: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2022, 2023]);
    assert_eq!(list[1]["level"], "critical");

    let risk = app.get(&format!("/api/v1/risks/{id}")).await.ok_json(200);
    assert_eq!(risk["assessments"].as_array().unwrap().len(), 2);
    assert_ne!(risk["updated_at"], created["updated_at"]);

    let one = app
        .get(&format!("/api/v1/risks/{id}/assessments/2023"))
        .await
        .ok_json(200);
    assert_eq!(one["note"], "Opgevolgd");
    assert_eq!(
        app.delete(&format!("/api/v1/risks/{id}/assessments/2023"))
            .await
            .status,
        204
    );
    app.get(&format!("/api/v1/risks/{id}/assessments/2023"))
        .await
        .problem(404);
    app.get("/api/v1/risks/999999/assessments")
        .await
        .problem(404);
}

#[actix_web::test]
async fn invalid_assessments_are_refused() {
    let app = TestApp::with_domains(DOMAINS).await;
    let id = create(
        &app,
        json!({"domain_id": "organisatiecultuur", "title": "X"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let put = |year: i32, body: &'static str| {
        send(
            app.request(
                Method::PUT,
                &format!("/api/v1/risks/{id}/assessments/{year}"),
            )
            .insert_header(("Content-Type", "application/json")),
            Some(body.into()),
        )
    };
    assert_eq!(
        put(2022, r#"{"status": "open", "likelihood": 6, "impact": 0}"#)
            .await
            .invalid_fields(),
        ["impact", "likelihood"]
    );
    assert_eq!(
        put(2022, r#"{"status": "gevaarlijk"}"#)
            .await
            .invalid_fields(),
        ["status"]
    );
    assert_eq!(
        put(2022, r#"{"status": "open", "score": 12}"#)
            .await
            .invalid_fields(),
        ["score"]
    );
    assert_eq!(
        put(1999, r#"{"status": "open"}"#).await.invalid_fields(),
        ["year"]
    );
    let missing = send(
        app.request(Method::PUT, "/api/v1/risks/999999/assessments/2022")
            .insert_header(("Content-Type", "application/json")),
        Some(r#"{"status": "open"}"#.into()),
    )
    .await;
    missing.problem(404);
}

#[actix_web::test]
async fn a_stale_if_match_on_an_assessment_is_412() {
    let app = TestApp::with_domains(DOMAINS).await;
    let id = create(
        &app,
        json!({"domain_id": "organisatiecultuur", "title": "X"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/risks/{id}/assessments/2022");
    let with_tag = |tag: &str| {
        app.request(Method::PUT, &path)
            .insert_header(("Content-Type", "application/json"))
            .insert_header(("If-Match", tag.to_string()))
    };
    // nothing to match yet
    send(with_tag("\"abc\""), Some(r#"{"status": "open"}"#.into()))
        .await
        .problem(412);
    put_assessment(&app, id, 2022, json!({"status": "open"})).await;
    let etag = app.get(&path).await.header("etag").unwrap().to_string();
    send(with_tag(&etag), Some(r#"{"status": "closed"}"#.into()))
        .await
        .ok_json(200);
    send(with_tag(&etag), Some(r#"{"status": "monitoring"}"#.into()))
        .await
        .problem(412);
    assert_eq!(app.get(&path).await.ok_json(200)["status"], "closed");
}

#[actix_web::test]
async fn risks_are_filtered_searched_and_paged_exactly_once() {
    let app = TestApp::with_domains(DOMAINS).await;
    let mut ids = Vec::new();
    for (domain, title) in [
        ("organisatiecultuur", "Hoge werkdruk"),
        ("organisatiecultuur", "Meer betrokkenheid middenkader"),
        ("efficient-gebruik-middelen", "Opvolging financiën"),
        ("betrouwbare-informatie", "Digitaal gegevensbeheer"),
        ("betrouwbare-informatie", "Monitoring"),
    ] {
        let risk = create(
            &app,
            json!({"domain_id": domain, "title": title, "theme_codes": ["MON"]}),
        )
        .await;
        ids.push(risk["id"].as_i64().unwrap());
    }
    put_assessment(&app, ids[0], 2022, json!({"status": "open"})).await;
    put_assessment(&app, ids[1], 2022, json!({"status": "closed"})).await;
    put_assessment(&app, ids[2], 2022, json!({"status": "monitoring"})).await;

    let page = app
        .get("/api/v1/risks?domain_id=organisatiecultuur")
        .await
        .ok_json(200);
    assert_eq!(
        titles(&page),
        ["Hoge werkdruk", "Meer betrokkenheid middenkader"]
    );
    let page = app
        .get("/api/v1/risks?year=2022&status=open")
        .await
        .ok_json(200);
    assert_eq!(titles(&page), ["Hoge werkdruk"]);
    let page = app.get("/api/v1/risks?year=2022").await.ok_json(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    let page = app.get("/api/v1/risks?q=financien").await.ok_json(200);
    assert_eq!(titles(&page), ["Opvolging financiën"]);
    let page = app.get("/api/v1/risks?q=werkdruk").await.ok_json(200);
    assert_eq!(titles(&page), ["Hoge werkdruk"]);
    let page = app
        .get("/api/v1/risks?theme=mon&sort=-title&limit=2")
        .await
        .ok_json(200);
    assert_eq!(titles(&page), ["Opvolging financiën", "Monitoring"]);

    for sort in [
        "id",
        "-id",
        "title",
        "-title",
        "updated_at",
        "-updated_at",
        "created_at",
    ] {
        let mut seen = Vec::new();
        let mut next = Some(format!("/api/v1/risks?limit=2&sort={sort}"));
        while let Some(path) = next {
            let page = app.get(&path).await.ok_json(200);
            seen.extend(
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["id"].as_i64().unwrap()),
            );
            next = page["next"].as_str().map(str::to_string);
        }
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(sorted, ids, "sort={sort} returns every risk exactly once");
    }
}

#[actix_web::test]
async fn bad_list_parameters_are_400_problems_naming_them() {
    let app = TestApp::spawn().await;
    for (query, named) in [
        ("colour=red", "colour"),
        ("year=twee", "year"),
        ("status=open", "year"),
        ("year=1999", "year"),
        ("status=boos&year=2022", "status"),
        ("sort=kleur", "sort"),
        ("sort=rank", "q"),
        ("limit=0", "limit"),
        ("updated_since=gisteren", "updated_since"),
    ] {
        let problem = app
            .get(&format!("/api/v1/risks?{query}"))
            .await
            .problem(400);
        assert!(
            problem["detail"].as_str().unwrap().contains(named),
            "{query}: {problem}"
        );
    }
    let cursor = app
        .get("/api/v1/risks?limit=1&sort=title")
        .await
        .ok_json(200)["next_cursor"]
        .clone();
    assert_eq!(cursor, Value::Null);
}
