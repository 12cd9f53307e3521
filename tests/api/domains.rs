use actix_web::http::Method;
use serde_json::{json, Value};

use crate::helpers::{send, TestApp};

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

async fn all_domains(app: &TestApp) -> Vec<Value> {
    let page = app.get("/api/v1/domains").await.ok_json(200);
    page["items"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn the_demo_has_the_seven_domains_of_the_2022_report_with_31_criteria_in_seed_order() {
    let app = TestApp::with_demo().await;
    let domains = all_domains(&app).await;
    let names: Vec<&str> = domains
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Organisatiecultuur",
            "Bereiken doelstellingen",
            "Voorkomen van fraude en fouten",
            "Naleven wetgeving en procedures",
            "Efficiënt gebruik middelen",
            "Betrouwbare informatie",
            "Bescherming activa",
        ]
    );
    let counts: Vec<usize> = domains
        .iter()
        .map(|d| d["criteria"].as_array().unwrap().len())
        .collect();
    assert_eq!(counts, [5, 5, 4, 5, 5, 5, 2]);
    assert_eq!(counts.iter().sum::<usize>(), 31);
    for (index, domain) in domains.iter().enumerate() {
        assert_eq!(domain["position"], index + 1);
        for (n, criterion) in domain["criteria"].as_array().unwrap().iter().enumerate() {
            assert_eq!(criterion["position"], n + 1);
            assert_eq!(criterion["domain_id"], domain["id"]);
        }
    }
    let texts = |i: usize| -> Vec<String> {
        domains[i]["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["text"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        texts(0),
        [
            "Manier waarop leidinggevenden omgaan",
            "Missie, visie, waarden en normen",
            "Deontologische code",
            "Risicocultuur",
            "HRM-beleid",
        ]
    );
    assert_eq!(
        texts(6),
        [
            "Opmaken inventaris van activa binnen stad en OCMW",
            "Uitschrijven van procedures en reglementen voor de bescherming van de activa",
        ]
    );
    assert_eq!(
        texts(4)[1],
        "Afspraken maken over veilig gebruik van middelen"
    );
    assert!(domains[1]["description"]
        .as_str()
        .unwrap()
        .starts_with("Binnen dit domein kijken we naar acties en realisaties"));
}

#[actix_web::test]
async fn the_domain_list_pages_with_a_cursor_and_a_next_link() {
    let app = TestApp::with_demo().await;
    let first = app.get("/api/v1/domains?limit=3").await.ok_json(200);
    assert_eq!(
        ids(&first),
        [
            "organisatiecultuur",
            "bereiken-doelstellingen",
            "voorkomen-fraude-en-fouten"
        ]
    );
    let cursor = first["next_cursor"].as_str().unwrap();
    let next = first["next"].as_str().unwrap();
    assert!(
        next.starts_with("/api/v1/domains?limit=3&cursor="),
        "{next}"
    );

    let second = app.get(next).await.ok_json(200);
    assert_eq!(second["items"].as_array().unwrap().len(), 3);
    let by_cursor = app
        .get(&format!("/api/v1/domains?limit=3&cursor={cursor}"))
        .await
        .ok_json(200);
    assert_eq!(ids(&second), ids(&by_cursor));

    let third = app.get(second["next"].as_str().unwrap()).await.ok_json(200);
    assert_eq!(ids(&third), ["bescherming-activa"]);
    assert_eq!(third["next_cursor"], Value::Null);
    assert_eq!(third["next"], Value::Null);
}

#[actix_web::test]
async fn a_domain_has_an_etag_that_revalidates() {
    let app = TestApp::with_demo().await;
    let response = app.get("/api/v1/domains/bescherming-activa").await;
    let domain = response.ok_json(200);
    assert_eq!(domain["name"], "Bescherming activa");
    assert_eq!(domain["criteria"].as_array().unwrap().len(), 2);
    let etag = response.header("etag").unwrap().to_string();

    let again = send(
        app.request(Method::GET, "/api/v1/domains/bescherming-activa")
            .insert_header(("If-None-Match", etag.as_str())),
        None,
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    app.get("/api/v1/domains/onbekend").await.problem(404);
}

#[actix_web::test]
async fn a_created_domain_is_placed_and_the_others_move_down() {
    let app = TestApp::with_demo().await;
    let response = app
        .post_json(
            "/api/v1/domains",
            &json!({"id": "informatieveiligheid", "name": "Informatieveiligheid", "position": 2}),
        )
        .await;
    let created = response.ok_json(201);
    assert_eq!(
        response.header("location"),
        Some("/api/v1/domains/informatieveiligheid")
    );
    assert!(response.header("etag").is_some());
    assert_eq!(created["position"], 2);
    assert_eq!(created["description"], Value::Null);
    assert_eq!(created["criteria"], json!([]));

    let domains = all_domains(&app).await;
    let order: Vec<(&str, i64)> = domains
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["position"].as_i64().unwrap()))
        .collect();
    assert_eq!(order[0], ("organisatiecultuur", 1));
    assert_eq!(order[1], ("informatieveiligheid", 2));
    assert_eq!(order[2], ("bereiken-doelstellingen", 3));
    assert_eq!(order[7], ("bescherming-activa", 8));

    let last = app
        .post_json(
            "/api/v1/domains",
            &json!({"id": "extra", "name": "Extra", "position": 99}),
        )
        .await
        .ok_json(201);
    assert_eq!(last["position"], 9);
}

#[actix_web::test]
async fn a_domain_id_or_name_cannot_be_taken_twice() {
    let app = TestApp::with_demo().await;
    let problem = app
        .post_json(
            "/api/v1/domains",
            &json!({"id": "organisatiecultuur", "name": "Anders"}),
        )
        .await
        .problem(409);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("organisatiecultuur"));
    app.post_json(
        "/api/v1/domains",
        &json!({"id": "anders", "name": "Organisatiecultuur"}),
    )
    .await
    .problem(409);
}

#[actix_web::test]
async fn an_invalid_new_domain_is_refused_naming_each_field() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json(
            "/api/v1/domains",
            &json!({"id": "Niet Geldig", "name": " ", "position": 0}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["id", "name", "position"]);
    let response = app
        .post_json(
            "/api/v1/domains",
            &json!({"id": "ok", "name": "x".repeat(201)}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["name"]);
}

#[actix_web::test]
async fn a_domain_is_changed_with_a_merge_patch() {
    let app = TestApp::with_demo().await;
    let changed = app
        .patch(
            "/api/v1/domains/bereiken-doelstellingen",
            &json!({"name": "Doelstellingen bereiken", "description": null, "position": 5}),
        )
        .await
        .ok_json(200);
    assert_eq!(changed["name"], "Doelstellingen bereiken");
    assert_eq!(changed["description"], Value::Null);
    assert_eq!(changed["position"], 5);
    assert_eq!(changed["criteria"].as_array().unwrap().len(), 5);

    let order: Vec<String> = all_domains(&app)
        .await
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        order,
        [
            "organisatiecultuur",
            "voorkomen-fraude-en-fouten",
            "naleven-wetgeving-en-procedures",
            "efficient-gebruik-middelen",
            "bereiken-doelstellingen",
            "betrouwbare-informatie",
            "bescherming-activa",
        ]
    );

    // absent members stay as they are
    let same = app
        .patch("/api/v1/domains/bereiken-doelstellingen", &json!({}))
        .await
        .ok_json(200);
    assert_eq!(same["name"], "Doelstellingen bereiken");
    assert_eq!(same["position"], 5);
}

#[actix_web::test]
async fn a_merge_patch_cannot_change_the_id_or_null_the_name() {
    let app = TestApp::with_demo().await;
    let response = app
        .patch(
            "/api/v1/domains/organisatiecultuur",
            &json!({"id": "cultuur"}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["id"]);
    let response = app
        .patch("/api/v1/domains/organisatiecultuur", &json!({"name": null}))
        .await;
    assert_eq!(response.invalid_fields(), ["name"]);
    app.patch("/api/v1/domains/onbekend", &json!({"name": "X"}))
        .await
        .problem(404);
}

#[actix_web::test]
async fn a_stale_if_match_is_refused_with_412_and_a_fresh_one_accepted() {
    let app = TestApp::with_demo().await;
    let path = "/api/v1/domains/organisatiecultuur";
    let etag = app.get(path).await.header("etag").unwrap().to_string();
    let patch = |tag: &str| {
        app.request(Method::PATCH, path)
            .insert_header(("Content-Type", "application/merge-patch+json"))
            .insert_header(("If-Match", tag.to_string()))
    };
    let first = send(patch(&etag), Some(r#"{"name": "Cultuur"}"#.into())).await;
    first.ok_json(200);
    let new_etag = first.header("etag").unwrap().to_string();
    assert_ne!(new_etag, etag);

    let stale = send(patch(&etag), Some(r#"{"name": "Nog anders"}"#.into())).await;
    assert_eq!(
        stale.problem(412)["type"],
        "urn:voortgang:problem:precondition-failed"
    );
    assert_eq!(app.get(path).await.ok_json(200)["name"], "Cultuur");

    let stale_delete = send(
        app.request(Method::DELETE, path)
            .insert_header(("If-Match", etag.as_str())),
        None,
    )
    .await;
    stale_delete.problem(412);
}

#[actix_web::test]
async fn a_domain_with_criteria_cannot_be_deleted() {
    let app = TestApp::with_demo().await;
    let problem = app
        .delete("/api/v1/domains/bescherming-activa")
        .await
        .problem(409);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("2 criteria, 3 risks and 19 actions"));
    assert_eq!(all_domains(&app).await.len(), 7);
}

#[actix_web::test]
async fn an_empty_domain_is_deleted_and_the_others_close_up() {
    let app = TestApp::with_demo().await;
    app.post_json(
        "/api/v1/domains",
        &json!({"id": "tijdelijk", "name": "Tijdelijk", "position": 1}),
    )
    .await
    .ok_json(201);
    let response = app.delete("/api/v1/domains/tijdelijk").await;
    assert_eq!(response.status, 204);
    assert!(response.body.is_empty());
    let positions: Vec<i64> = all_domains(&app)
        .await
        .iter()
        .map(|d| d["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [1, 2, 3, 4, 5, 6, 7]);
    app.get("/api/v1/domains/tijdelijk").await.problem(404);
    app.delete("/api/v1/domains/tijdelijk").await.problem(404);
}
