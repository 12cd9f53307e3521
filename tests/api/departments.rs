use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::{send, TestApp};

#[actix_web::test]
async fn a_department_is_created_listed_renamed_and_deleted() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/api/v1/departments").await.ok_json(200)["items"],
        json!([])
    );

    let response = app
        .post_json(
            "/api/v1/departments",
            &json!({"id": "financien", "name": "Financiën"}),
        )
        .await;
    let created = response.ok_json(201);
    assert_eq!(
        response.header("location"),
        Some("/api/v1/departments/financien")
    );
    assert_eq!(created["name"], "Financiën");
    app.post_json(
        "/api/v1/departments",
        &json!({"id": "personeel", "name": "Personeel en organisatie"}),
    )
    .await
    .ok_json(201);

    let page = app.get("/api/v1/departments?limit=1").await.ok_json(200);
    assert_eq!(page["items"][0]["id"], "financien");
    let next = app.get(page["next"].as_str().unwrap()).await.ok_json(200);
    assert_eq!(next["items"][0]["id"], "personeel");
    assert_eq!(next["next"], Value::Null);

    let response = app.get("/api/v1/departments/financien").await;
    response.ok_json(200);
    let etag = response.header("etag").unwrap().to_string();
    let renamed = send(
        app.request(Method::PATCH, "/api/v1/departments/financien")
            .insert_header(("Content-Type", "application/merge-patch+json"))
            .insert_header(("If-Match", etag.as_str())),
        Some(r#"{"name": "Dienst Financiën"}"#.into()),
    )
    .await
    .ok_json(200);
    assert_eq!(renamed["name"], "Dienst Financiën");
    assert_ne!(renamed["updated_at"], created["updated_at"]);

    let stale = send(
        app.request(Method::DELETE, "/api/v1/departments/financien")
            .insert_header(("If-Match", etag.as_str())),
        None,
    )
    .await;
    stale.problem(412);
    assert_eq!(
        app.delete("/api/v1/departments/financien").await.status,
        204
    );
    app.get("/api/v1/departments/financien").await.problem(404);
}

#[actix_web::test]
async fn department_ids_and_names_are_unique() {
    let app = TestApp::spawn().await;
    app.post_json("/api/v1/departments", &json!({"id": "ict", "name": "ICT"}))
        .await
        .ok_json(201);
    app.post_json(
        "/api/v1/departments",
        &json!({"id": "ict", "name": "Informatica"}),
    )
    .await
    .problem(409);
    app.post_json(
        "/api/v1/departments",
        &json!({"id": "informatica", "name": "ICT"}),
    )
    .await
    .problem(409);
    app.post_json("/api/v1/departments", &json!({"id": "it", "name": "IT"}))
        .await
        .ok_json(201);
    app.patch("/api/v1/departments/it", &json!({"name": "ICT"}))
        .await
        .problem(409);
}

#[actix_web::test]
async fn an_invalid_department_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json(
            "/api/v1/departments",
            &json!({"id": "dienst--x", "name": "X"}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["id"]);
    let response = app
        .post_json("/api/v1/departments", &json!({"id": "x"}))
        .await;
    assert_eq!(response.invalid_fields(), ["name"]);
}
