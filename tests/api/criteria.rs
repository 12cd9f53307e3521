use serde_json::{json, Value};

use crate::helpers::TestApp;

const BASE: &str = "/api/v1/domains/organisatiecultuur/criteria";

async fn texts(app: &TestApp) -> Vec<(String, i64)> {
    let page = app.get(BASE).await.ok_json(200);
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["text"].as_str().unwrap().to_string(),
                c["position"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn the_criteria_of_a_domain_are_listed_in_order() {
    let app = TestApp::with_demo().await;
    let list = texts(&app).await;
    assert_eq!(list.len(), 5);
    assert_eq!(
        list[0],
        ("Manier waarop leidinggevenden omgaan".to_string(), 1)
    );
    assert_eq!(list[4], ("HRM-beleid".to_string(), 5));

    let page = app.get(&format!("{BASE}?limit=2")).await.ok_json(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let rest = app.get(page["next"].as_str().unwrap()).await.ok_json(200);
    assert_eq!(rest["items"][0]["text"], "Deontologische code");

    app.get("/api/v1/domains/onbekend/criteria")
        .await
        .problem(404);
}

#[actix_web::test]
async fn a_criterion_is_added_read_moved_and_deleted() {
    let app = TestApp::with_demo().await;
    let response = app
        .post_json(BASE, &json!({"text": "Integriteit", "position": 2}))
        .await;
    let created = response.ok_json(201);
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        response.header("location"),
        Some(format!("{BASE}/{id}").as_str())
    );
    assert_eq!(created["position"], 2);
    assert_eq!(
        texts(&app).await[2],
        ("Missie, visie, waarden en normen".to_string(), 3)
    );

    let read = app.get(&format!("{BASE}/{id}")).await.ok_json(200);
    assert_eq!(read["text"], "Integriteit");
    assert_eq!(read["domain_id"], "organisatiecultuur");

    let moved = app
        .patch(
            &format!("{BASE}/{id}"),
            &json!({"text": "Integriteitsbeleid", "position": 6}),
        )
        .await
        .ok_json(200);
    assert_eq!(moved["position"], 6);
    let list = texts(&app).await;
    assert_eq!(list[1], ("Missie, visie, waarden en normen".to_string(), 2));
    assert_eq!(list[5], ("Integriteitsbeleid".to_string(), 6));

    let response = app.delete(&format!("{BASE}/{id}")).await;
    assert_eq!(response.status, 204);
    let positions: Vec<i64> = texts(&app).await.iter().map(|(_, p)| *p).collect();
    assert_eq!(positions, [1, 2, 3, 4, 5]);
    app.get(&format!("{BASE}/{id}")).await.problem(404);
}

#[actix_web::test]
async fn the_domain_shows_its_criteria_as_they_change() {
    let app = TestApp::with_demo().await;
    app.post_json(BASE, &json!({"text": "Integriteit", "position": 1}))
        .await
        .ok_json(201);
    let domain = app
        .get("/api/v1/domains/organisatiecultuur")
        .await
        .ok_json(200);
    let criteria = domain["criteria"].as_array().unwrap();
    assert_eq!(criteria.len(), 6);
    assert_eq!(criteria[0]["text"], "Integriteit");
    assert_eq!(criteria[1]["text"], "Manier waarop leidinggevenden omgaan");
}

#[actix_web::test]
async fn a_criterion_belongs_to_its_own_domain_only() {
    let app = TestApp::with_demo().await;
    let first = app.get(BASE).await.ok_json(200)["items"][0]["id"].clone();
    app.get(&format!(
        "/api/v1/domains/bescherming-activa/criteria/{first}"
    ))
    .await
    .problem(404);
    app.get(&format!("{BASE}/eerste")).await.problem(404);
    app.post_json("/api/v1/domains/onbekend/criteria", &json!({"text": "X"}))
        .await
        .problem(404);
}

#[actix_web::test]
async fn an_invalid_criterion_is_refused() {
    let app = TestApp::with_demo().await;
    let response = app
        .post_json(BASE, &json!({"text": "", "position": -1}))
        .await;
    assert_eq!(response.invalid_fields(), ["position", "text"]);
    let first = app.get(BASE).await.ok_json(200)["items"][0]["id"].clone();
    let response = app
        .patch(
            &format!("{BASE}/{first}"),
            &json!({"text": "x".repeat(1001)}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["text"]);
    let response = app
        .patch(
            &format!("{BASE}/{first}"),
            &json!({"domain_id": "bescherming-activa"}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["domain_id"]);
    let unchanged: Value = app.get(&format!("{BASE}/{first}")).await.ok_json(200);
    assert_eq!(unchanged["domain_id"], "organisatiecultuur");
}
