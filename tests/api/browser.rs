//! What browsers see: CORS for the configured origins, security headers, caching headers and
//! compression.

use actix_web::http::Method;

use crate::helpers::{send, Setup, TestApp};

const INTRANET: &str = "https://intranet.example.be";

async fn with_cors() -> TestApp {
    TestApp::spawn_with(Setup {
        demo: true,
        cors_origins: vec![INTRANET.to_string()],
        ..Setup::default()
    })
    .await
}

async fn preflight(app: &TestApp, origin: &str) -> crate::helpers::TestResponse {
    send(
        app.client
            .request(Method::OPTIONS, format!("{}/api/v1/domains", app.address))
            .insert_header(("Origin", origin))
            .insert_header(("Access-Control-Request-Method", "POST"))
            .insert_header((
                "Access-Control-Request-Headers",
                "authorization, content-type, idempotency-key",
            )),
        None,
    )
    .await
}

#[actix_web::test]
async fn a_configured_origin_may_call_the_api_from_a_browser() {
    let app = with_cors().await;
    let response = preflight(&app, INTRANET).await;
    assert_eq!(response.status, 204);
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some(INTRANET)
    );
    let allowed = response.header("access-control-allow-headers").unwrap();
    for name in [
        "Authorization",
        "Content-Type",
        "If-Match",
        "Idempotency-Key",
    ] {
        assert!(allowed.contains(name), "{allowed}");
    }
    assert!(response
        .header("access-control-allow-methods")
        .unwrap()
        .contains("PATCH"));

    let read = send(
        app.request(Method::GET, "/api/v1/domains")
            .insert_header(("Origin", INTRANET)),
        None,
    )
    .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("access-control-allow-origin"), Some(INTRANET));
    assert!(read
        .header("access-control-expose-headers")
        .unwrap()
        .contains("ETag"));
    assert!(read.headers.get_all("vary").any(|v| v == "Origin"));
    assert_eq!(read.headers.get("access-control-allow-credentials"), None);
}

#[actix_web::test]
async fn other_origins_get_no_cors_headers() {
    for app in [with_cors().await, TestApp::with_demo().await] {
        let response = preflight(&app, "https://elders.example.com").await;
        let problem = response.problem(403);
        assert!(problem["detail"]
            .as_str()
            .unwrap()
            .contains("https://elders.example.com"));
        assert_eq!(response.header("access-control-allow-origin"), None);
        let read = send(
            app.request(Method::GET, "/api/v1/domains")
                .insert_header(("Origin", "https://elders.example.com")),
            None,
        )
        .await;
        assert_eq!(
            read.status, 200,
            "the browser, not the service, enforces CORS"
        );
        assert_eq!(read.header("access-control-allow-origin"), None);
    }
}

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::with_demo().await;
    let anonymous = send(
        app.client.get(format!("{}/api/v1/domains", app.address)),
        None,
    )
    .await;
    for response in [
        app.get("/api/v1/domains").await,
        app.get("/api/v1/domains/onbekend").await,
        app.get("/api/v1/reports/2022/document").await,
        app.get("/swagger-ui/").await,
        anonymous,
    ] {
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(response.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(response.header("x-frame-options"), Some("DENY"));
        let csp = response.header("content-security-policy").unwrap();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-eval"));
    }
}

#[actix_web::test]
async fn reads_are_revalidated_and_the_rest_is_not_stored() {
    let app = TestApp::with_demo().await;
    let read = app.get("/api/v1/domains/organisatiecultuur").await;
    assert_eq!(read.header("cache-control"), Some("private, no-cache"));
    let etag = read.header("etag").unwrap();
    let again = send(
        app.request(Method::GET, "/api/v1/domains/organisatiecultuur")
            .insert_header(("If-None-Match", etag)),
        None,
    )
    .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.header("cache-control"), Some("private, no-cache"));
    let missing = app.get("/api/v1/domains/onbekend").await;
    assert_eq!(missing.header("cache-control"), Some("no-store"));
    let created = app
        .post_json(
            "/api/v1/departments",
            &serde_json::json!({"id": "nieuw", "name": "Nieuw"}),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn responses_are_compressed_when_the_client_asks() {
    let app = TestApp::with_demo().await;
    let plain = app.get("/api/v1/reports/2022").await;
    assert_eq!(plain.header("content-encoding"), None);
    for (encoding, magic) in [("gzip", &[0x1f_u8, 0x8b][..]), ("br", &[][..])] {
        let response = send(
            app.request(Method::GET, "/api/v1/reports/2022")
                .insert_header(("Accept-Encoding", encoding)),
            None,
        )
        .await;
        assert_eq!(response.status, 200);
        assert_eq!(response.header("content-encoding"), Some(encoding));
        assert!(response.body.starts_with(magic));
        assert!(
            response.body.len() * 3 < plain.body.len(),
            "{encoding}: {} of {} bytes",
            response.body.len(),
            plain.body.len()
        );
    }
    let csv = send(
        app.request(Method::GET, "/api/v1/exports/action_statuses?format=csv")
            .insert_header(("Accept-Encoding", "gzip")),
        None,
    )
    .await;
    assert_eq!(csv.header("content-encoding"), Some("gzip"));
}
