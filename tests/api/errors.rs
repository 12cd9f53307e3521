//! Every failure a client can reach answers with an RFC 9457 problem.

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{send, TestApp};

#[actix_web::test]
async fn malformed_json_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let response = send(
        app.request(Method::POST, "/api/v1/departments")
            .insert_header(("Content-Type", "application/json")),
        Some(r#"{"id": "x", "name": "#.into()),
    )
    .await;
    let problem = response.problem(400);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
    let empty = send(
        app.request(Method::POST, "/api/v1/departments")
            .insert_header(("Content-Type", "application/json")),
        Some(String::new()),
    )
    .await;
    empty.problem(400);
}

#[actix_web::test]
async fn a_wrong_content_type_is_a_415_problem() {
    let app = TestApp::spawn().await;
    let text = send(
        app.request(Method::POST, "/api/v1/departments")
            .insert_header(("Content-Type", "text/plain")),
        Some(r#"{"id": "x", "name": "X"}"#.into()),
    )
    .await;
    assert!(text.problem(415)["detail"]
        .as_str()
        .unwrap()
        .contains("application/json"));
    let missing = send(
        app.request(Method::POST, "/api/v1/departments"),
        Some("{}".into()),
    )
    .await;
    missing.problem(415);

    app.post_json("/api/v1/departments", &json!({"id": "x", "name": "X"}))
        .await
        .ok_json(201);
    let plain_json_patch = send(
        app.request(Method::PATCH, "/api/v1/departments/x")
            .insert_header(("Content-Type", "application/json")),
        Some(r#"{"name": "Y"}"#.into()),
    )
    .await;
    let problem = plain_json_patch.problem(415);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("application/merge-patch+json"));
}

#[actix_web::test]
async fn an_unknown_field_is_a_422_problem_naming_it() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json(
            "/api/v1/departments",
            &json!({"id": "x", "name": "X", "kleur": "rood"}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["kleur"]);
    let problem = response.problem(422);
    assert_eq!(problem["type"], "urn:voortgang:problem:validation");
}

#[actix_web::test]
async fn a_wrong_type_is_a_422_problem_naming_the_field() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json(
            "/api/v1/domains",
            &json!({"id": "x", "name": "X", "position": "eerste"}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["position"]);
    let response = app.post_json("/api/v1/domains", &json!(["x"])).await;
    assert_eq!(response.invalid_fields(), ["body"]);
}

#[actix_web::test]
async fn an_unknown_path_is_a_404_problem() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/nergens").await.problem(404);
    app.get("/").await.problem(404);
    app.get("/api/v1/domains/organisatiecultuur/criteria/1/extra")
        .await
        .problem(404);
}

#[actix_web::test]
async fn a_wrong_method_is_a_405_problem_with_allow() {
    let app = TestApp::spawn().await;
    let response = send(
        app.request(Method::PUT, "/api/v1/domains/organisatiecultuur"),
        None,
    )
    .await;
    response.problem(405);
    assert_eq!(response.header("allow"), Some("GET, PATCH, DELETE"));
    let response = send(app.request(Method::DELETE, "/api/v1/domains"), None).await;
    response.problem(405);
    assert_eq!(response.header("allow"), Some("GET, POST"));
    let response = send(app.request(Method::POST, "/health/live"), None).await;
    response.problem(405);
    assert_eq!(response.header("allow"), Some("GET"));
    // a literal path is not its parameterised neighbour: /actions/batch is not /actions/{id}
    let response = send(app.request(Method::OPTIONS, "/api/v1/actions/batch"), None).await;
    response.problem(405);
    assert_eq!(response.header("allow"), Some("POST"));
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let response = send(app.request(method, "/api/v1/actions/batch"), None).await;
        response.problem(405);
        assert_eq!(response.header("allow"), Some("POST"));
    }
    // while a parameter that does not parse is an action that is not there
    app.get("/api/v1/actions/first").await.problem(404);
}

#[actix_web::test]
async fn a_body_over_the_limit_is_a_413_problem() {
    let app = TestApp::spawn().await;
    let huge = format!(r#"{{"id": "x", "name": "{}"}}"#, "x".repeat(300 * 1024));
    let response = send(
        app.request(Method::POST, "/api/v1/departments")
            .insert_header(("Content-Type", "application/json")),
        Some(huge),
    )
    .await;
    response.problem(413);
}

#[actix_web::test]
async fn bad_paging_parameters_are_400_problems() {
    let app = TestApp::spawn().await;
    for query in [
        "limit=0",
        "limit=1001",
        "limit=-5",
        "limit=veel",
        "cursor=bogus",
        "cursor=e30",
    ] {
        let response = app.get(&format!("/api/v1/domains?{query}")).await;
        response.problem(400);
    }
    app.get("/api/v1/domains?limit=1000").await.ok_json(200);
}

#[actix_web::test]
async fn nul_characters_are_refused_before_they_reach_the_database() {
    let app = TestApp::with_demo().await;
    let response = app
        .post_json(
            "/api/v1/departments",
            &json!({"id": "x", "name": "Fi\u{0}nanciën"}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["name"]);
    app.get("/api/v1/domains/a%00b").await.problem(400);
    app.get("/api/v1/themes/%00").await.problem(400);
    app.get("/api/v1/domains?cursor=WzEsImFcdTAwMDBiIl0")
        .await
        .problem(400);
    let response = app
        .patch(
            "/api/v1/domains/organisatiecultuur",
            &json!({"description": "\u{0}"}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["description"]);
}

#[actix_web::test]
async fn out_of_range_numbers_and_ids_are_client_errors() {
    let app = TestApp::with_demo().await;
    let response = app
        .post_json(
            "/api/v1/domains",
            &json!({"id": "x", "name": "X", "position": 2147483648u64}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["position"]);
    app.get("/api/v1/domains/organisatiecultuur/criteria/99999999999")
        .await
        .problem(404);
    app.get(&format!("/api/v1/domains/{}", "a".repeat(5000)))
        .await
        .problem(404);
    let moved = app
        .patch(
            "/api/v1/domains/organisatiecultuur",
            &json!({"position": 2147483647}),
        )
        .await
        .ok_json(200);
    assert_eq!(moved["position"], 7);
    // the smallest year there is has no previous year to follow up
    app.get("/api/v1/reports/-2147483648/follow-up")
        .await
        .problem(404);
}

#[actix_web::test]
async fn validation_messages_state_the_limits_of_api_limits() {
    use voortgang::api::limits::{DOMAINS_PER_ACTION, TITLE_MAX};
    let app = TestApp::with_domains(&["organisatiecultuur"]).await;
    let title = "t".repeat(TITLE_MAX as usize + 1);
    let domains: Vec<String> = (0..=DOMAINS_PER_ACTION)
        .map(|n| format!("domein-{n}"))
        .collect();
    let response = app
        .post_json(
            "/api/v1/actions",
            &serde_json::json!({"title": title, "domain_ids": domains}),
        )
        .await;
    let problem = response.problem(422);
    let errors = problem["errors"].as_array().unwrap();
    let message = |field: &str| {
        errors
            .iter()
            .find(|e| e["field"] == field)
            .unwrap_or_else(|| panic!("no error for {field}: {errors:?}"))["message"]
            .clone()
    };
    assert_eq!(
        message("title"),
        format!("must be 1 to {TITLE_MAX} characters")
    );
    assert_eq!(
        message("domain_ids"),
        format!("must be 1 to {DOMAINS_PER_ACTION} items")
    );
}

#[actix_web::test]
async fn an_array_where_an_object_is_expected_is_refused_not_read_by_position() {
    let app = TestApp::spawn().await;
    let response = send(
        app.request(Method::POST, "/api/v1/departments")
            .insert_header(("Content-Type", "application/json")),
        Some(json!(["ict", "ICT"]).to_string()),
    )
    .await;
    assert_eq!(response.invalid_fields(), ["body"]);
    assert_eq!(
        app.get("/api/v1/departments/ict").await.status,
        404,
        "nothing was created"
    );
}

#[actix_web::test]
async fn a_search_is_bounded_in_length_and_words() {
    use voortgang::api::limits::{Q_MAX, Q_WORDS_MAX};
    let app = TestApp::spawn().await;
    let long = "a".repeat(Q_MAX as usize + 1);
    let wordy = vec!["woord"; Q_WORDS_MAX + 1].join("+");
    for list in ["/api/v1/actions", "/api/v1/risks"] {
        for q in [&long, &wordy] {
            let problem = app.get(&format!("{list}?q={q}")).await.problem(400);
            let detail = problem["detail"].as_str().unwrap();
            // the length is the contract's bound, the words the search's own
            assert!(
                detail.starts_with("q must be")
                    || detail.contains(&format!("`q` is longer than {Q_MAX}")),
                "{problem}"
            );
        }
        let fits = vec!["woord"; Q_WORDS_MAX].join("+");
        assert_eq!(app.get(&format!("{list}?q={fits}")).await.status, 200);
    }
}

#[actix_web::test]
async fn single_line_fields_refuse_line_breaks_control_characters_and_direction_overrides() {
    let app = TestApp::with_domains(&["organisatiecultuur"]).await;
    for (field, value) in [
        ("title", "Twee\nregels"),
        ("title", "Omgekeerd \u{202E}tset"),
        ("title", "Bel\u{7}"),
        ("external_ref", "FIN\t7"),
        ("plan_ref", "AP\r1"),
    ] {
        let mut body = json!({"title": "Goed", "domain_ids": ["organisatiecultuur"]});
        body[field] = json!(value);
        let response = app.post_json("/api/v1/actions", &body).await;
        assert_eq!(response.invalid_fields(), [field], "{value:?}");
    }
    for name in [" eda", "eda ", "e\u{1b}da"] {
        let response = app
            .post_json("/api/v1/tokens", &json!({"name": name, "role": "reader"}))
            .await;
        assert_eq!(response.invalid_fields(), ["name"], "{name:?}");
    }
    // an accent or a dash inside the text is fine
    app.post_json(
        "/api/v1/actions",
        &json!({"title": "Financiën – opvolging", "domain_ids": ["organisatiecultuur"]}),
    )
    .await
    .ok_json(201);
}

#[actix_web::test]
async fn a_malformed_path_segment_is_explained_in_the_users_words() {
    let app = TestApp::with_demo().await;
    for path in ["/api/v1/actions/1.5", "/api/v1/risks/abc/assessments/2022"] {
        let problem = app.get(path).await.problem(404);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("is not a whole number"), "{path}: {detail}");
        assert!(
            !detail.contains("i32") && !detail.contains("parse"),
            "{detail}"
        );
    }
}

#[actix_web::test]
async fn a_body_that_trickles_in_is_cut_off_with_a_408_problem() {
    use std::io::{Read, Write};
    use std::time::Duration;
    let app = TestApp::spawn_with(crate::helpers::Setup {
        body_timeout: Duration::from_secs(1),
        ..crate::helpers::Setup::default()
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_string();
    let answer = actix_web::rt::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let head = format!(
            "POST /api/v1/departments HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: 60\r\n\r\n{{\"id\": ",
            crate::helpers::ADMIN_TOKEN
        );
        stream.write_all(head.as_bytes()).unwrap();
        // the rest of the body never comes
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
            if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
                break;
            }
        }
        String::from_utf8_lossy(&answer).to_string()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("did not arrive within 1 s"), "{answer}");
}

#[actix_web::test]
async fn a_parameter_longer_than_the_contract_allows_is_a_400_naming_it() {
    let app = TestApp::spawn().await;
    let long = "x".repeat(65);
    for (path, name) in [
        (format!("/api/v1/actions?theme={long}"), "theme"),
        (
            format!("/api/v1/risks?department_id={long}"),
            "department_id",
        ),
        (
            format!("/api/v1/audit-events?entity_id={long}{long}"),
            "entity_id",
        ),
    ] {
        let problem = app.get(&path).await.problem(400);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(&format!("`{name}`")), "{path}: {detail}");
    }
    let etag = format!("\"{}\"", "0".repeat(1000));
    let response = send(
        app.request(Method::GET, "/api/v1/themes/CUL")
            .insert_header(("If-None-Match", etag.as_str())),
        None,
    )
    .await;
    let problem = response.problem(400);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("`If-None-Match`"));
    let below = app.get("/api/v1/actions?risk_id=0").await.problem(400);
    assert!(below["detail"]
        .as_str()
        .unwrap()
        .contains("`risk_id` must be from 1"));
    // at the bound it is taken
    let at_bound = format!("/api/v1/actions?theme={}", "x".repeat(64));
    assert_eq!(app.get(&at_bound).await.status, 200);
}

#[actix_web::test]
async fn an_invalid_write_with_a_stale_if_match_is_answered_as_invalid() {
    let app = TestApp::with_domains(&["ict"]).await;
    let action = app
        .post_json(
            "/api/v1/actions",
            &json!({"title": "Actie", "domain_ids": ["ict"]}),
        )
        .await
        .ok_json(201);
    let risk = app
        .post_json(
            "/api/v1/risks",
            &json!({"title": "Risico", "domain_id": "ict"}),
        )
        .await
        .ok_json(201);
    let stale = "\"00000000000000000000000000000000\"";
    for path in [
        format!("/api/v1/actions/{}", action["id"]),
        format!("/api/v1/risks/{}", risk["id"]),
    ] {
        let request = app
            .request(Method::PATCH, &path)
            .insert_header(("Content-Type", "application/merge-patch+json"))
            .insert_header(("If-Match", stale));
        let invalid = send(request, Some(json!({"theme_codes": ["XYZW"]}).to_string())).await;
        assert_eq!(invalid.invalid_fields(), vec!["theme_codes"], "{path}");
        // valid otherwise, the stale tag is what it is told
        let request = app
            .request(Method::PATCH, &path)
            .insert_header(("Content-Type", "application/merge-patch+json"))
            .insert_header(("If-Match", stale));
        let stale_only = send(request, Some(json!({"title": "Nieuw"}).to_string())).await;
        stale_only.problem(412);
    }
}
