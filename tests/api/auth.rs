//! Tokens, roles and the authorization of every operation.

use std::collections::BTreeMap;

use actix_web::http::Method;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::helpers::{send, token, Setup, TestApp};

/// Creates a token with the admin token and returns its secret.
async fn departments(app: &TestApp) {
    for id in ["eigen", "ander"] {
        app.post_json("/api/v1/departments", &json!({"id": id, "name": id}))
            .await
            .ok_json(201);
    }
}

#[actix_web::test]
async fn without_a_token_the_api_answers_401_with_both_challenges() {
    let app = TestApp::spawn().await;
    let response = send(app.request_as(Method::GET, "/api/v1/domains", None), None).await;
    let problem = response.problem(401);
    assert!(problem["detail"].as_str().unwrap().contains("Bearer"));
    let challenge = response.header("www-authenticate").unwrap();
    assert!(
        challenge.contains("Bearer") && challenge.contains("Basic"),
        "{challenge}"
    );

    for bad in [
        "Bearer vgt_onbekend",
        "Bearer ",
        "Token abc",
        "Basic !!!",
        "Basic dXNlcg==",
    ] {
        let response = send(
            app.request_as(Method::GET, "/api/v1/domains", None)
                .insert_header(("Authorization", bad)),
            None,
        )
        .await;
        response.problem(401);
        assert!(response.header("www-authenticate").is_some(), "{bad}");
    }
    // never from the query string
    let response = send(
        app.request_as(
            Method::GET,
            &format!(
                "/api/v1/domains?access_token={}",
                crate::helpers::ADMIN_TOKEN
            ),
            None,
        ),
        None,
    )
    .await;
    assert_ne!(response.status, 200);

    for public in [
        "/health/live",
        "/health/ready",
        "/api-docs/openapi.json",
        "/swagger-ui/",
    ] {
        let response = send(app.request_as(Method::GET, public, None), None).await;
        assert_eq!(response.status, 200, "{public}");
    }
}

#[actix_web::test]
async fn basic_authentication_takes_the_token_as_password() {
    let app = TestApp::spawn().await;
    let credentials = STANDARD.encode(format!("powerbi:{}", crate::helpers::ADMIN_TOKEN));
    let response = send(
        app.request_as(Method::GET, "/api/v1/themes", None)
            .insert_header(("Authorization", format!("Basic {credentials}"))),
        None,
    )
    .await;
    response.ok_json(200);
}

#[actix_web::test]
async fn public_read_lets_anonymous_clients_read_but_not_write() {
    let app = TestApp::spawn_with(Setup {
        public_read: true,
        ..Setup::default()
    })
    .await;
    send(app.request_as(Method::GET, "/api/v1/themes", None), None)
        .await
        .ok_json(200);
    let write = send(
        app.request_as(Method::POST, "/api/v1/departments", None)
            .insert_header(("Content-Type", "application/json")),
        Some(r#"{"id": "x", "name": "X"}"#.into()),
    )
    .await;
    write.problem(401);
    send(app.request_as(Method::GET, "/api/v1/tokens", None), None)
        .await
        .problem(401);
}

#[actix_web::test]
async fn a_token_is_shown_once_hashed_and_stops_working_when_revoked() {
    let app = TestApp::spawn().await;
    departments(&app).await;
    let response = app
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "financien-script", "role": "editor", "department_ids": ["eigen"]}),
        )
        .await;
    let created = response.ok_json(201);
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("vgt_") && secret.len() >= 40);
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["department_ids"], json!(["eigen"]));

    let listed = app.get("/api/v1/tokens").await.ok_json(200);
    assert!(
        !listed.to_string().contains(&secret),
        "the secret is shown only once"
    );
    let stored: Vec<u8> = {
        use diesel::prelude::*;
        use voortgang::db::schema::api_tokens;
        api_tokens::table
            .find(id as i32)
            .select(api_tokens::secret_hash)
            .first(&mut app.db())
            .unwrap()
    };
    assert_eq!(
        stored,
        voortgang::auth::secret::hash(&secret),
        "only the hash is stored"
    );

    send(
        app.request_as(Method::GET, "/api/v1/themes", Some(&secret)),
        None,
    )
    .await
    .ok_json(200);
    let used = app.get(&format!("/api/v1/tokens/{id}")).await.ok_json(200);
    assert!(used["last_used_at"].is_string());

    let revoked = app
        .delete(&format!("/api/v1/tokens/{id}"))
        .await
        .ok_json(200);
    assert!(revoked["revoked_at"].is_string());
    send(
        app.request_as(Method::GET, "/api/v1/themes", Some(&secret)),
        None,
    )
    .await
    .problem(401);
}

#[actix_web::test]
async fn invalid_tokens_are_refused() {
    let app = TestApp::spawn().await;
    departments(&app).await;
    let editor = app
        .post_json("/api/v1/tokens", &json!({"name": "x", "role": "editor"}))
        .await;
    assert_eq!(editor.invalid_fields(), ["department_ids"]);
    let reader = app
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "x", "role": "reader", "department_ids": ["eigen"]}),
        )
        .await;
    assert_eq!(reader.invalid_fields(), ["department_ids"]);
    let expired = app
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "x", "role": "reader", "expires_at": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(expired.invalid_fields(), ["expires_at"]);
    let unknown = app
        .post_json(
            "/api/v1/tokens",
            &json!({"name": "x", "role": "editor", "department_ids": ["geen"]}),
        )
        .await;
    assert_eq!(unknown.invalid_fields(), ["department_ids"]);
    app.post_json(
        "/api/v1/tokens",
        &json!({"name": "test-admin", "role": "reader"}),
    )
    .await
    .problem(409);
}

#[actix_web::test]
async fn editors_change_only_what_their_departments_own() {
    let app = TestApp::with_domains(&["organisatiecultuur"]).await;
    departments(&app).await;
    let editor = token(
        &app,
        json!({"name": "eigen-script", "role": "editor", "department_ids": ["eigen"]}),
    )
    .await;
    let as_editor = |method: Method, path: &str| {
        app.request_as(method, path, Some(&editor))
            .insert_header(("Content-Type", "application/json"))
    };
    let own = send(
        as_editor(Method::POST, "/api/v1/actions"),
        Some(json!({"title": "Eigen actie", "domain_ids": ["organisatiecultuur"], "department_id": "eigen"}).to_string()),
    )
    .await
    .ok_json(201);
    let foreign = send(
        as_editor(Method::POST, "/api/v1/actions"),
        Some(json!({"title": "Andere actie", "domain_ids": ["organisatiecultuur"], "department_id": "ander"}).to_string()),
    )
    .await;
    foreign.problem(403);
    let no_department = send(
        as_editor(Method::POST, "/api/v1/actions"),
        Some(json!({"title": "Niemands actie", "domain_ids": ["organisatiecultuur"]}).to_string()),
    )
    .await;
    no_department.problem(403);

    let moving_out = send(
        app.request_as(
            Method::PATCH,
            &format!("/api/v1/actions/{}", own["id"]),
            Some(&editor),
        )
        .insert_header(("Content-Type", "application/merge-patch+json")),
        Some(r#"{"department_id": "ander"}"#.into()),
    )
    .await;
    moving_out.problem(403);
    send(
        as_editor(
            Method::PUT,
            &format!("/api/v1/actions/{}/statuses/2023", own["id"]),
        ),
        Some(r#"{"status": "in_progress"}"#.into()),
    )
    .await
    .ok_json(201);

    let theirs = app
        .post_json("/api/v1/actions", &json!({"title": "Hun actie", "domain_ids": ["organisatiecultuur"], "department_id": "ander"}))
        .await
        .ok_json(201);
    send(
        as_editor(
            Method::PUT,
            &format!("/api/v1/actions/{}/statuses/2023", theirs["id"]),
        ),
        Some(r#"{"status": "cancelled"}"#.into()),
    )
    .await
    .problem(403);
    let untouched = app
        .get(&format!("/api/v1/actions/{}", theirs["id"]))
        .await
        .ok_json(200);
    assert_eq!(untouched["statuses"], json!([]));
    send(
        app.request_as(Method::POST, "/api/v1/domains", Some(&editor))
            .insert_header(("Content-Type", "application/json")),
        Some(r#"{"id": "x", "name": "X"}"#.into()),
    )
    .await
    .problem(403);
}

#[derive(Debug, Deserialize)]
struct Case {
    expect: BTreeMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
}

/// Fresh rows for one request: what the path parameters point at.
struct Fixture {
    domain: String,
    criterion: i64,
    department: String,
    risk: i64,
    action: i64,
    audit: i64,
    recommendation: i64,
    self_evaluation: i64,
    token: i64,
}

async fn fixture(app: &TestApp, n: usize) -> Fixture {
    let domain = format!("matrix-{n}");
    app.post_json("/api/v1/domains", &json!({"id": domain, "name": domain}))
        .await
        .ok_json(201);
    let criterion = app
        .created_id(
            &format!("/api/v1/domains/{domain}/criteria"),
            &json!({"text": "Criterium"}),
        )
        .await;
    let department = format!("dienst-{n}");
    app.post_json(
        "/api/v1/departments",
        &json!({"id": department, "name": department}),
    )
    .await
    .ok_json(201);
    let risk = app
        .created_id(
            "/api/v1/risks",
            &json!({"domain_id": domain, "title": "Risico", "department_id": "eigen"}),
        )
        .await;
    app.put_json(
        &format!("/api/v1/risks/{risk}/assessments/2022"),
        &json!({"status": "open"}),
    )
    .await
    .ok_json(201);
    let action = app
        .created_id(
            "/api/v1/actions",
            &json!({"title": "Actie", "domain_ids": [domain], "department_id": "eigen"}),
        )
        .await;
    app.put_json(
        &format!("/api/v1/actions/{action}/statuses/2022"),
        &json!({"status": "planned"}),
    )
    .await
    .ok_json(201);
    let audit = app.created_id("/api/v1/audits", &json!({"auditor": "audit_vlaanderen", "title": format!("Audit {n}"), "action_ids": [action]})).await;
    let recommendation = app
        .created_id(
            &format!("/api/v1/audits/{audit}/recommendations"),
            &json!({"text": "Aanbeveling", "priority": "medium", "department_id": "eigen"}),
        )
        .await;
    app.put_json(
        &format!("/api/v1/recommendations/{recommendation}/statuses/2022"),
        &json!({"status": "open"}),
    )
    .await
    .ok_json(201);
    let self_evaluation = app
        .created_id(
            "/api/v1/self-evaluations",
            &json!({"year": 2022, "title": format!("Zelfevaluatie {n}"),
                    "scores": [{"theme_code": "CUL", "score": 1, "action_ids": [action]}]}),
        )
        .await;
    let token = app
        .created_id(
            "/api/v1/tokens",
            &json!({"name": format!("matrix-lezer-{n}"), "role": "reader"}),
        )
        .await;
    Fixture {
        domain,
        criterion,
        department,
        risk,
        action,
        audit,
        recommendation,
        self_evaluation,
        token,
    }
}

const ADOPTABLE_YEAR: i32 = 2099;
const REVIEWED_YEAR: i32 = 2098;

fn fill(template: &str, f: &Fixture) -> String {
    if template == "/api/v1/reports/{year}/adopt" {
        // a year of its own, so adoption (by the admin, once) locks nothing the others write
        return format!("/api/v1/reports/{ADOPTABLE_YEAR}/adopt");
    }
    // a review goes to a year without rows: the role gate is what is tested, not whose row
    // it is (a row the admin wrote itself is refused to the admin by segregation of duties)
    let year = if template.ends_with("/review") {
        REVIEWED_YEAR
    } else {
        2022
    };
    let id = if template.starts_with("/api/v1/domains/{id}") {
        f.domain.clone()
    } else if template.starts_with("/api/v1/departments") {
        f.department.clone()
    } else if template.starts_with("/api/v1/themes") {
        "CUL".into()
    } else if template.starts_with("/api/v1/risks") {
        f.risk.to_string()
    } else if template.starts_with("/api/v1/actions") {
        f.action.to_string()
    } else if template.starts_with("/api/v1/audits") {
        f.audit.to_string()
    } else if template.starts_with("/api/v1/recommendations") {
        f.recommendation.to_string()
    } else if template.starts_with("/api/v1/self-evaluations") {
        f.self_evaluation.to_string()
    } else {
        f.token.to_string()
    };
    template
        .replace("{id}", &id)
        .replace("{domain_id}", &f.domain)
        .replace("{criterion_id}", &f.criterion.to_string())
        .replace("{risk_id}", &f.risk.to_string())
        .replace("{action_id}", &f.action.to_string())
        .replace("{audit_id}", &f.audit.to_string())
        .replace("{code}", "CUL")
        .replace("{external_ref}", "matrix-ref")
        .replace("{year}", &year.to_string())
}

#[actix_web::test]
async fn every_operation_answers_each_role_as_the_matrix_says() {
    let app = TestApp::spawn().await;
    departments(&app).await;
    app.put_json(
        &format!("/api/v1/reports/{ADOPTABLE_YEAR}"),
        &json!({"title": "Matrix"}),
    )
    .await
    .ok_json(201);
    let reader = token(&app, json!({"name": "lezer", "role": "reader"})).await;
    let own = token(
        &app,
        json!({"name": "editor-eigen", "role": "editor", "department_ids": ["eigen"]}),
    )
    .await;
    let other = token(
        &app,
        json!({"name": "editor-ander", "role": "editor", "department_ids": ["ander"]}),
    )
    .await;
    let reviewer = token(&app, json!({"name": "coordinator", "role": "reviewer"})).await;
    let roles: [(&str, Option<&str>); 6] = [
        ("anonymous", None),
        ("reader", Some(&reader)),
        ("editor_other", Some(&other)),
        ("editor_own", Some(&own)),
        ("reviewer", Some(&reviewer)),
        ("admin", Some(crate::helpers::ADMIN_TOKEN)),
    ];

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/role_matrix.json");
    let matrix: BTreeMap<String, Case> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let api = serde_json::to_value(voortgang::http::openapi()).unwrap();
    let mut seen = Vec::new();
    let mut failures = Vec::new();
    let mut n = 0;
    for (template, item) in api["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap();
            seen.push(id.to_string());
            let case = matrix
                .get(id)
                .unwrap_or_else(|| panic!("{id} is missing from tests/api/role_matrix.json"));
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let mut shared = None;
            for (role, secret) in roles {
                // a delete gets fresh rows for every role, so each attempt has something to delete
                if shared.is_none() || method == Method::DELETE {
                    n += 1;
                    shared = Some(fixture(&app, n).await);
                }
                let f = shared.as_ref().unwrap();
                let content_type = if method == Method::PATCH {
                    "application/merge-patch+json"
                } else {
                    "application/json"
                };
                let request = app
                    .request_as(method.clone(), &fill(template, f), secret)
                    .insert_header(("Content-Type", content_type));
                let body = case
                    .body
                    .as_ref()
                    .map(|b| b.to_string().replace("{domain}", &f.domain));
                let response = send(request, body).await;
                let outcome = match response.status {
                    401 => "401",
                    403 => "403",
                    s if s >= 500 => "5xx",
                    _ => "ok",
                };
                if outcome != case.expect[role] {
                    failures.push(format!(
                        "{id} as {role}: expected {}, got {} {}",
                        case.expect[role],
                        response.status,
                        String::from_utf8_lossy(&response.body)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let extra: Vec<&String> = matrix.keys().filter(|k| !seen.contains(k)).collect();
    assert!(
        extra.is_empty(),
        "the matrix names operations the contract lacks: {extra:?}"
    );
}

#[actix_web::test]
async fn a_token_over_its_rate_gets_429_with_retry_after() {
    let app = TestApp::spawn_with(crate::helpers::Setup {
        rate_limits: voortgang::http::limits::RateLimits {
            per_token: 5,
            auth_failures: 3,
            ..Default::default()
        },
        ..crate::helpers::Setup::default()
    })
    .await;
    // each answer states the quota and what is left of it (draft-ietf-httpapi-ratelimit-headers)
    for left in (0..5).rev() {
        let response = app.get("/api/v1/domains").await;
        assert_eq!(response.status, 200);
        assert_eq!(
            response.header("ratelimit-policy"),
            Some("\"per-token\";q=5;w=60")
        );
        let state = response.header("ratelimit").unwrap();
        assert!(
            state.starts_with(&format!("\"per-token\";r={left};t=")),
            "{state}"
        );
    }
    let refused = app.get("/api/v1/domains").await;
    let problem = refused.problem(429);
    assert!(problem["detail"].as_str().unwrap().contains("retry after"));
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=12).contains(&wait), "{wait}");
    assert_eq!(
        refused.header("ratelimit"),
        Some(format!("\"per-token\";r=0;t={wait}").as_str())
    );
    // health probes are not limited
    let health = app.get("/health/live").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.header("ratelimit"), None);

    // failed authentications are limited per address, before the token is even looked up
    for _ in 0..3 {
        let response = send(
            app.request_as(Method::GET, "/api/v1/domains", Some("vgt_geraden")),
            None,
        )
        .await;
        assert_eq!(response.status, 401);
    }
    let blocked = send(
        app.request_as(Method::GET, "/api/v1/domains", Some("vgt_nog-eens-geraden")),
        None,
    )
    .await;
    blocked.problem(429);
    assert!(blocked.header("retry-after").is_some());
}

#[test]
fn request_text_cannot_forge_a_log_line() {
    assert_eq!(
        voortgang::http::request_id::loggable("/api/v1/x\n[INFO] nep\u{1b}[0m"),
        "/api/v1/x\\n[INFO] nep\\u{1b}[0m"
    );
}

#[actix_web::test]
async fn a_known_token_keeps_working_from_an_address_that_failed_too_often() {
    let app = TestApp::spawn_with(crate::helpers::Setup {
        rate_limits: voortgang::http::limits::RateLimits {
            per_token: 0,
            auth_failures: 2,
            ..Default::default()
        },
        ..crate::helpers::Setup::default()
    })
    .await;
    assert_eq!(app.get("/api/v1/domains").await.status, 200);
    for _ in 0..2 {
        let guess = send(
            app.request_as(Method::GET, "/api/v1/domains", Some("vgt_geraden")),
            None,
        )
        .await;
        assert_eq!(guess.status, 401);
    }
    let guess = send(
        app.request_as(Method::GET, "/api/v1/domains", Some("vgt_weer-geraden")),
        None,
    )
    .await;
    guess.problem(429);
    // the token used before from this address is known, and is not held back
    assert_eq!(app.get("/api/v1/domains").await.status, 200);
    // not even after a change to the tokens made it ask the database again
    token(&app, json!({"name": "nieuw", "role": "reader"})).await;
    assert_eq!(app.get("/api/v1/domains").await.status, 200);
}

/// The id of the listed token named `name`.
async fn token_id(app: &TestApp, name: &str) -> i64 {
    let listed = app.get("/api/v1/tokens").await.ok_json(200);
    listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("the token {name} is listed"))["id"]
        .as_i64()
        .unwrap()
}

#[actix_web::test]
async fn a_token_cannot_revoke_itself() {
    let app = TestApp::spawn().await;
    let own = token_id(&app, "test-admin").await;
    let problem = app
        .delete(&format!("/api/v1/tokens/{own}"))
        .await
        .problem(409);
    assert!(problem["detail"].as_str().unwrap().contains("itself"));
    // still working, and revoking another admin token is fine
    let other = token(&app, json!({"name": "tweede-beheerder", "role": "admin"})).await;
    let other_id = token_id(&app, "tweede-beheerder").await;
    app.delete(&format!("/api/v1/tokens/{other_id}"))
        .await
        .ok_json(200);
    send(
        app.request_as(Method::GET, "/api/v1/themes", Some(&other)),
        None,
    )
    .await
    .problem(401);
}

#[actix_web::test]
async fn several_authorization_headers_are_refused() {
    let app = TestApp::spawn().await;
    let response = send(
        app.client
            .get(format!("{}/api/v1/domains", app.address))
            .append_header((
                "Authorization",
                format!("Bearer {}", crate::helpers::ADMIN_TOKEN),
            ))
            .append_header(("Authorization", "Bearer vgt_someone-else")),
        None,
    )
    .await;
    let problem = response.problem(400);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("one Authorization header"));
    // one header is fine
    assert_eq!(app.get("/api/v1/domains").await.status, 200);
}

/// Rows of both departments and a city-wide one, the links between them made by the admin.
struct Owned {
    own_action: i64,
    own_risk: i64,
    other_action: i64,
    other_risk: i64,
    shared_action: i64,
    shared_risk: i64,
}

/// Both departments with their rows, and an editor of `eigen`.
async fn relations() -> (TestApp, String, Owned) {
    let app = TestApp::with_domains(&["ict"]).await;
    departments(&app).await;
    let own = token(
        &app,
        json!({"name": "editor-eigen", "role": "editor", "department_ids": ["eigen"]}),
    )
    .await;
    let owned = owned(&app, "ict").await;
    (app, own, owned)
}

async fn owned(app: &TestApp, domain: &str) -> Owned {
    let mut ids = Vec::new();
    for department in [json!("eigen"), json!("ander"), Value::Null] {
        let action = app
            .created_id(
                "/api/v1/actions",
                &json!({"title": "Actie", "domain_ids": [domain], "department_id": department}),
            )
            .await;
        let risk = app
            .created_id(
                "/api/v1/risks",
                &json!({"title": "Risico", "domain_id": domain, "department_id": department}),
            )
            .await;
        ids.push((action, risk));
    }
    Owned {
        own_action: ids[0].0,
        own_risk: ids[0].1,
        other_action: ids[1].0,
        other_risk: ids[1].1,
        shared_action: ids[2].0,
        shared_risk: ids[2].1,
    }
}

#[actix_web::test]
async fn an_editor_links_only_to_what_its_departments_own_or_no_department_owns() {
    let (app, own, o) = relations().await;
    let action = |extra: Value| {
        let mut body = json!({"title": "Nieuw", "domain_ids": ["ict"], "department_id": "eigen"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let batch_item = |reference: &str, extra: Value| {
        let mut item = action(extra);
        item["external_ref"] = json!(reference);
        json!({"items": [item]})
    };
    // (operation, method, path, body, the editor's expected status); the admin may do each
    let cases: Vec<(&str, Method, String, Value, u16)> = vec![
        (
            "create under own",
            Method::POST,
            "/api/v1/actions".into(),
            action(json!({"parent_id": o.own_action})),
            201,
        ),
        (
            "create under other",
            Method::POST,
            "/api/v1/actions".into(),
            action(json!({"parent_id": o.other_action})),
            403,
        ),
        (
            "create under shared",
            Method::POST,
            "/api/v1/actions".into(),
            action(json!({"parent_id": o.shared_action})),
            201,
        ),
        (
            "create for own risk",
            Method::POST,
            "/api/v1/actions".into(),
            action(json!({"risk_ids": [o.own_risk, o.shared_risk]})),
            201,
        ),
        (
            "create for other risk",
            Method::POST,
            "/api/v1/actions".into(),
            action(json!({"risk_ids": [o.own_risk, o.other_risk]})),
            403,
        ),
        (
            "patch parent other",
            Method::PATCH,
            format!("/api/v1/actions/{}", o.own_action),
            json!({"parent_id": o.other_action}),
            403,
        ),
        (
            "patch risks other",
            Method::PATCH,
            format!("/api/v1/actions/{}", o.own_action),
            json!({"risk_ids": [o.other_risk]}),
            403,
        ),
        (
            "patch risks own",
            Method::PATCH,
            format!("/api/v1/actions/{}", o.own_action),
            json!({"risk_ids": [o.own_risk]}),
            200,
        ),
        (
            "upsert under other",
            Method::PUT,
            "/api/v1/actions/by-ref/REL-1".into(),
            action(json!({"parent_id": o.other_action})),
            403,
        ),
        (
            "upsert for other risk",
            Method::PUT,
            "/api/v1/actions/by-ref/REL-2".into(),
            action(json!({"risk_ids": [o.other_risk]})),
            403,
        ),
        (
            "batch under other",
            Method::POST,
            "/api/v1/actions/batch".into(),
            batch_item("REL-3", json!({"parent_id": o.other_action})),
            403,
        ),
        (
            "batch for other risk",
            Method::POST,
            "/api/v1/actions/batch".into(),
            batch_item("REL-4", json!({"risk_ids": [o.other_risk]})),
            403,
        ),
    ];
    let mut failures = Vec::new();
    for (name, method, path, body, expected) in &cases {
        let content_type = if *method == Method::PATCH {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        let request = app
            .request_as(method.clone(), path, Some(&own))
            .insert_header(("Content-Type", content_type));
        let response = send(request, Some(body.to_string())).await;
        if response.status != *expected {
            failures.push(format!(
                "{name}: expected {expected}, got {}",
                response.status
            ));
        } else if *expected == 403 {
            let problem = response.problem(403);
            let detail = problem["detail"].as_str().unwrap();
            assert!(detail.contains("another department"), "{name}: {detail}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // nothing of the refused writes was stored
    let all = app.get("/api/v1/actions?limit=1000").await.ok_json(200);
    let stored: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["external_ref"].as_str())
        .collect();
    assert!(stored.iter().all(|r| !r.starts_with("REL-")), "{stored:?}");
    let children = app
        .get(&format!("/api/v1/actions?parent_id={}", o.other_action))
        .await
        .ok_json(200);
    assert_eq!(children["items"], json!([]));

    // what the admin links stays; the editor's own writes keep it without re-checking it
    let linked = app
        .patch(
            &format!("/api/v1/actions/{}", o.own_action),
            &json!({"risk_ids": [o.own_risk, o.other_risk]}),
        )
        .await;
    linked.ok_json(200);
    let request = app
        .request_as(
            Method::PATCH,
            &format!("/api/v1/actions/{}", o.own_action),
            Some(&own),
        )
        .insert_header(("Content-Type", "application/merge-patch+json"));
    let kept = send(request, Some(json!({"title": "Hernoemd"}).to_string())).await;
    assert_eq!(
        kept.ok_json(200)["risk_ids"],
        json!([o.own_risk, o.other_risk])
    );
}

#[actix_web::test]
async fn a_cascade_never_changes_another_departments_row() {
    let (app, own, o) = relations().await;
    // the admin ties the other department's action to our risk and under our action
    app.patch(
        &format!("/api/v1/actions/{}", o.other_action),
        &json!({"risk_ids": [o.own_risk], "parent_id": o.own_action}),
    )
    .await
    .ok_json(200);
    let before = app
        .get(&format!("/api/v1/actions/{}", o.other_action))
        .await
        .ok_json(200);

    for path in [
        format!("/api/v1/risks/{}?cascade=true", o.own_risk),
        format!("/api/v1/actions/{}?cascade=true", o.own_action),
    ] {
        let response = send(app.request_as(Method::DELETE, &path, Some(&own)), None).await;
        let problem = response.problem(403);
        assert!(
            problem["detail"].as_str().unwrap().contains("`ander`"),
            "{path}: {problem}"
        );
    }
    let after = app
        .get(&format!("/api/v1/actions/{}", o.other_action))
        .await
        .ok_json(200);
    assert_eq!(after, before);
    assert_eq!(
        app.get(&format!("/api/v1/risks/{}", o.own_risk))
            .await
            .status,
        200
    );
    // the admin's cascade may
    assert_eq!(
        app.delete(&format!("/api/v1/risks/{}?cascade=true", o.own_risk))
            .await
            .status,
        204
    );
}

#[actix_web::test]
async fn a_token_with_too_many_expensive_requests_in_progress_gets_429_and_others_go_on() {
    use diesel::connection::SimpleConnection;
    let app = TestApp::spawn_with(Setup {
        rate_limits: voortgang::http::limits::RateLimits {
            expensive_per_token: 1,
            ..Default::default()
        },
        // the held search outlasts the refusals, each of which waits for a place first
        statement_timeout: std::time::Duration::from_secs(60),
        ..Setup::default()
    })
    .await;
    let reader = token(&app, json!({"name": "lezer", "role": "reader"})).await;
    let mut blocker = app.db();
    blocker
        .batch_execute("BEGIN; LOCK TABLE actions IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let search = app.request(Method::GET, "/api/v1/actions?q=audit");
    let pending = actix_web::rt::spawn(send(search, None));
    app.until_waiting_on_locks(1).await;

    for path in [
        "/api/v1/actions?q=intranet",
        "/api/v1/risks?q=fraude",
        "/api/v1/reports/2022",
        "/api/v1/exports/risks",
    ] {
        let refused = app.get(path).await;
        let problem = refused.problem(429);
        assert!(
            problem["detail"].as_str().unwrap().contains("in progress"),
            "{path}: {problem}"
        );
        assert_eq!(refused.header("retry-after"), Some("2"), "{path}");
    }
    // what is not expensive goes on, and so do other tokens' expensive requests
    assert_eq!(app.get("/api/v1/domains").await.status, 200);
    let other = send(
        app.request_as(Method::GET, "/api/v1/risks?q=fraude", Some(&reader)),
        None,
    )
    .await;
    assert_eq!(other.status, 200);
    blocker.batch_execute("ROLLBACK").unwrap();
    assert_eq!(pending.await.unwrap().status, 200);
    // the finished request gave its place back
    assert_eq!(app.get("/api/v1/actions?q=intranet").await.status, 200);
}
