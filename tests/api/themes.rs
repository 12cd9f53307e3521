use actix_web::http::Method;

use crate::helpers::{send, TestApp};

#[actix_web::test]
async fn the_eleven_leidraad_themes_are_seeded_in_order() {
    let app = TestApp::spawn().await;
    let page = app.get("/api/v1/themes").await.ok_json(200);
    let codes: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["AOB", "DP", "BHM", "MON", "FIM", "ORG", "HRM", "CUL", "ICO", "FAM", "ICT"]
    );
    assert_eq!(page["items"][0]["number"], 0);
    assert_eq!(page["items"][7]["name"], "Organisatiecultuur");
    assert_eq!(page["next_cursor"], serde_json::Value::Null);
}

#[actix_web::test]
async fn a_theme_is_found_by_its_code_in_any_case() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/themes/fam").await;
    let theme = response.ok_json(200);
    assert_eq!(theme["number"], 9);
    assert_eq!(
        theme["name"],
        "Facilitaire middelen, opdrachten en contracten"
    );
    assert!(response.header("etag").is_some());
    app.get("/api/v1/themes/XYZ").await.problem(404);
}

#[actix_web::test]
async fn themes_are_read_only() {
    let app = TestApp::spawn().await;
    let response = send(
        app.request(Method::POST, "/api/v1/themes")
            .insert_header(("Content-Type", "application/json")),
        Some(r#"{"code": "NEW"}"#.into()),
    )
    .await;
    response.problem(405);
    assert_eq!(response.header("allow"), Some("GET"));
    let response = app.delete("/api/v1/themes/CUL").await;
    response.problem(405);
    assert_eq!(response.header("allow"), Some("GET"));
}
