//! Webhooks, delivered to a real HTTP receiver in the test process: every event type once with
//! a valid Standard Webhooks signature, retries, order after an outage, two instances, a
//! killed instance, the target rules, rotation and a failing subscription.

use std::collections::{BTreeSet, HashMap};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::http::Method;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use strum::IntoEnumIterator;
use voortgang::config::WebhookConfig;
use voortgang::webhooks::dto::EventType;

use crate::helpers::{send, token, Setup, TestApp};

const DOMAIN: &str = "organisatiecultuur";

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: Vec<u8>,
    /// The status the receiver answered.
    pub answered: u16,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Behaviour {
    /// Answer 500 to this many requests first.
    fail: AtomicUsize,
    /// Hold this many requests first for `hold` before answering.
    held: AtomicUsize,
    hold: Mutex<Duration>,
}

/// A receiver of webhook messages on 127.0.0.1, recording every request.
pub(crate) struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    behaviour: Arc<Behaviour>,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    received: web::Data<Mutex<Vec<Received>>>,
    behaviour: web::Data<Behaviour>,
) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let fail = behaviour
        .fail
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
        .is_ok();
    let hold = behaviour
        .held
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
        .is_ok();
    let answered = if fail { 500 } else { 204 };
    received.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: body.to_vec(),
        answered,
    });
    if hold {
        let wait = *behaviour.hold.lock().unwrap();
        actix_web::rt::time::sleep(wait).await;
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(answered).unwrap()).finish()
}

impl Receiver {
    pub fn start() -> Self {
        Self::on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    /// A port nothing listens on yet (see [`Receiver::on_port`]).
    pub fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    pub fn on_port(port: u16) -> Self {
        Self::on(TcpListener::bind(("127.0.0.1", port)).unwrap())
    }

    fn on(listener: TcpListener) -> Self {
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let behaviour = Arc::new(Behaviour::default());
        let (sender, handles) = std::sync::mpsc::channel();
        let (r, b) = (received.clone(), behaviour.clone());
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let (r, b) = (web::Data::from(r), web::Data::from(b));
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(r.clone())
                        .app_data(b.clone())
                        .default_service(web::to(receive))
                })
                .workers(2)
                .disable_signals()
                .shutdown_timeout(1)
                .listen(listener)
                .unwrap()
                .run();
                sender.send(server.handle()).unwrap();
                server.await.unwrap();
            })
        });
        Self {
            url,
            received,
            behaviour,
            handle: handles.recv().unwrap(),
            thread: Some(thread),
        }
    }

    pub fn fail_next(&self, n: usize) {
        self.behaviour.fail.store(n, Ordering::Release);
    }

    pub fn hold_next(&self, n: usize, hold: Duration) {
        *self.behaviour.hold.lock().unwrap() = hold;
        self.behaviour.held.store(n, Ordering::Release);
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The requests answered 2xx.
    pub fn accepted(&self) -> Vec<Received> {
        let all = self.received();
        all.into_iter().filter(|r| r.answered < 300).collect()
    }

    /// Waits until `done` holds for what was received, or panics after `within`.
    pub async fn until(&self, within: Duration, what: &str, done: impl Fn(&[Received]) -> bool) {
        if let Err(received) = self.within(within, &done).await {
            panic!(
                "the receiver still waits for {what}; it got {} requests: {:?}",
                received.len(),
                received
                    .iter()
                    .map(|r| (r.id.clone(), r.answered))
                    .collect::<Vec<_>>()
            );
        }
    }

    /// Waits until `done` holds for what was received; else what was received after `within`.
    pub async fn within(
        &self,
        within: Duration,
        done: impl Fn(&[Received]) -> bool,
    ) -> Result<(), Vec<Received>> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if done(&received) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(received);
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        let _ = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(handle.stop(false));
        })
        .join();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Whether one of the `v1,` signatures of `received` is HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` under `secret`'s key, and the timestamp is current.
pub(crate) fn signed_by(received: &Received, secret: &str) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.", received.id, received.timestamp).as_bytes());
    mac.update(&received.body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    let now = chrono::Utc::now().timestamp();
    let sent: i64 = received.timestamp.parse().unwrap();
    (now - sent).abs() < 300 && received.signature.split(' ').any(|s| s == expected)
}

/// Sending settings for tests: the loopback receiver allowed, quick retries.
pub(crate) fn quick() -> WebhookConfig {
    WebhookConfig {
        hosts: vec!["127.0.0.1".into()],
        workers: 2,
        timeout: Duration::from_secs(2),
        first_retry: Duration::from_millis(200),
        give_up_after: Duration::from_secs(600),
        deadline_days: 7,
        deadline_every: Duration::from_millis(200),
    }
}

async fn app_sending(config: WebhookConfig) -> TestApp {
    let app = TestApp::spawn_with(Setup {
        webhooks: Some(config),
        pool_size: 4,
        ..Setup::default()
    })
    .await;
    app.post_json(
        "/api/v1/domains",
        &json!({"id": DOMAIN, "name": "Organisatiecultuur"}),
    )
    .await
    .ok_json(201);
    app
}

/// Subscribes `url` to `types` (all when empty); answers the webhook's id and secret.
async fn subscribe(app: &TestApp, url: &str, types: &[&str], payload: &str) -> (i64, String) {
    let types: Vec<String> = if types.is_empty() {
        EventType::iter().map(|t| t.as_str().to_string()).collect()
    } else {
        types.iter().map(|t| t.to_string()).collect()
    };
    let created = app
        .post_json(
            "/api/v1/webhooks",
            &json!({"url": url, "event_types": types, "payload": payload}),
        )
        .await
        .ok_json(201);
    (
        created["id"].as_i64().unwrap(),
        created["secret"].as_str().unwrap().to_string(),
    )
}

async fn call(app: &TestApp, secret: &str, method: Method, path: &str, body: Value) -> Value {
    let request = app
        .request_as(method, path, Some(secret))
        .insert_header(("Content-Type", "application/json"));
    let response = send(request, Some(body.to_string())).await;
    assert!(
        response.status < 300,
        "{path}: {} {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    );
    response.json()
}

async fn action(app: &TestApp, title: &str, department: Option<&str>) -> i64 {
    app.created_id(
        "/api/v1/actions",
        &json!({"title": title, "domain_ids": [DOMAIN], "department_id": department}),
    )
    .await
}

#[actix_web::test]
async fn every_event_type_arrives_once_signed_and_in_order() {
    let app = app_sending(quick()).await;
    let receiver = Receiver::start();
    let (webhook, secret) = subscribe(&app, &receiver.url, &[], "full").await;
    let admin = crate::helpers::ADMIN_TOKEN;

    app.patch(
        &format!("/api/v1/domains/{DOMAIN}"),
        &json!({"name": "Cultuur"}),
    )
    .await
    .ok_json(200);
    app.post_json(
        &format!("/api/v1/domains/{DOMAIN}/criteria"),
        &json!({"text": "Er is een visie op organisatiecultuur."}),
    )
    .await
    .ok_json(201);
    app.post_json(
        "/api/v1/departments",
        &json!({"id": "hr", "name": "Personeel"}),
    )
    .await
    .ok_json(201);
    let hr = token(
        &app,
        json!({"name": "hr-editor", "role": "editor", "department_ids": ["hr"]}),
    )
    .await;
    let coordinator = token(&app, json!({"name": "coordinator", "role": "reviewer"})).await;
    let plan = action(&app, "Welzijnsbevraging", Some("hr")).await;
    app.put_json(
        &format!("/api/v1/actions/{plan}/statuses/2022"),
        &json!({"status": "planned"}),
    )
    .await
    .ok_json(201);
    let risk = app
        .created_id(
            "/api/v1/risks",
            &json!({"title": "Hoge werkdruk", "domain_id": DOMAIN, "department_id": "hr"}),
        )
        .await;
    app.put_json(
        &format!("/api/v1/risks/{risk}/assessments/2022"),
        &json!({"status": "open", "likelihood": 4, "impact": 4}),
    )
    .await
    .ok_json(201);
    let audit = crate::recommendations::audit(&app, "Audit Personeel").await;
    let recommendation = crate::recommendations::recommendation(
        &app,
        audit,
        json!({"text": "Meet het welzijn jaarlijks.", "priority": "high", "department_id": "hr"}),
    )
    .await;
    app.put_json(
        &format!("/api/v1/recommendations/{recommendation}/statuses/2022"),
        &json!({"status": "in_progress"}),
    )
    .await
    .ok_json(201);
    app.post_json(
        "/api/v1/self-evaluations",
        &json!({"year": 2022, "title": "Zelfevaluatie 2022",
                "scores": [{"theme_code": "CUL", "score": 1}]}),
    )
    .await
    .ok_json(201);

    // the yearly cycle: open (the deadline is near), answer, review, close, adopt
    let soon = (chrono::Utc::now() + chrono::Duration::days(3)).date_naive();
    call(
        &app,
        &coordinator,
        Method::POST,
        "/api/v1/reports/2023/open",
        json!({ "collect_until": soon }),
    )
    .await;
    // the departments hear that the deadline is near while they still owe answers
    receiver
        .until(Duration::from_secs(10), "the deadline notice", |r| {
            r.iter().any(|m| m.id == "msg_deadline_2023_hr")
        })
        .await;
    call(
        &app,
        &hr,
        Method::PUT,
        &format!("/api/v1/actions/{plan}/statuses/2023"),
        json!({"status": "in_progress", "progress": 40}),
    )
    .await;
    call(
        &app,
        &hr,
        Method::PUT,
        &format!("/api/v1/risks/{risk}/assessments/2023"),
        json!({"status": "monitoring", "likelihood": 3, "impact": 4}),
    )
    .await;
    call(
        &app,
        &hr,
        Method::PUT,
        &format!("/api/v1/recommendations/{recommendation}/statuses/2023"),
        json!({"status": "implemented", "note": "Bevraging gehouden."}),
    )
    .await;
    call(
        &app,
        &coordinator,
        Method::POST,
        &format!("/api/v1/actions/{plan}/statuses/2023/review"),
        json!({"decision": "return", "note": "Graag een toelichting."}),
    )
    .await;
    call(
        &app,
        &coordinator,
        Method::POST,
        &format!("/api/v1/risks/{risk}/assessments/2023/review"),
        json!({"decision": "approve"}),
    )
    .await;
    call(
        &app,
        &coordinator,
        Method::POST,
        "/api/v1/reports/2023/close",
        json!({}),
    )
    .await;
    call(
        &app,
        admin,
        Method::POST,
        "/api/v1/reports/2023/adopt",
        json!({"accept_incomplete": true}),
    )
    .await;
    app.put_json(
        "/api/v1/reports/2024",
        &json!({"title": "Voortgangsrapport 2024"}),
    )
    .await
    .ok_json(201);
    app.post_json(&format!("/api/v1/webhooks/{webhook}/ping"), &json!({}))
        .await
        .ok_json(202);

    let every: BTreeSet<String> = EventType::iter().map(|t| t.as_str().to_string()).collect();
    let types = |received: &[Received]| -> BTreeSet<String> {
        received
            .iter()
            .map(|r| r.json()["type"].as_str().unwrap().to_string())
            .collect()
    };
    if let Err(received) = receiver
        .within(Duration::from_secs(30), |r| types(r) == every)
        .await
    {
        let got = types(&received);
        let missing: Vec<_> = every.difference(&got).collect();
        panic!("missing {missing:?}");
    }
    // whatever arrives late would be a second copy
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let received = receiver.received();
    let mut ids = BTreeSet::new();
    let mut last_event = 0;
    for message in &received {
        assert!(signed_by(message, &secret), "{message:?}");
        assert!(ids.insert(message.id.clone()), "{} came twice", message.id);
        let body = message.json();
        // messages about writes come in the order of the writes
        if let Some(event) = body["data"]["audit_event_id"].as_i64() {
            assert!(event > last_event, "{event} after {last_event}");
            last_event = event;
            assert_eq!(message.id, format!("msg_{event}"));
        }
    }
    let count = |kind: &str| received.iter().filter(|r| r.json()["type"] == kind).count();
    for kind in [
        "review.returned",
        "review.approved",
        "report.opened",
        "report.collection_closed",
        "report.adopted",
        "collection.deadline_near",
        "action_status.submitted",
        "ping",
    ] {
        assert_eq!(count(kind), 1, "{kind}");
    }

    // a full message carries the representation, and links to the current state
    let returned = received
        .iter()
        .map(Received::json)
        .find(|b| b["type"] == "review.returned")
        .unwrap();
    assert_eq!(returned["data"]["entity_type"], "action_status");
    assert_eq!(returned["data"]["department_id"], "hr");
    assert_eq!(returned["data"]["after"]["review"]["state"], "returned");
    assert_eq!(returned["data"]["before"]["review"]["state"], "submitted");
    assert_eq!(
        returned["data"]["link"],
        format!("/api/v1/actions/{plan}/statuses/2023")
    );
    let deadline = received
        .iter()
        .map(Received::json)
        .find(|b| b["type"] == "collection.deadline_near")
        .unwrap();
    assert_eq!(deadline["data"]["department_id"], "hr");
    assert_eq!(deadline["data"]["year"], 2023);
    assert!(
        deadline["data"]["open"].as_i64().unwrap() >= 1,
        "{deadline}"
    );

    // the deliveries show what went out, never the secret
    let page = app
        .get(&format!("/api/v1/webhooks/{webhook}/deliveries?limit=1000"))
        .await;
    assert!(!String::from_utf8_lossy(&page.body).contains(&secret));
    let page = page.ok_json(200);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), received.len());
    assert!(items.iter().all(|d| d["status"] == "delivered"
        && d["last_status"] == 204
        && d["attempts"] == 1
        && d["next_attempt_at"].is_null()));
    let shown = app.get(&format!("/api/v1/webhooks/{webhook}")).await;
    assert!(!String::from_utf8_lossy(&shown.body).contains(&secret));
    assert_eq!(shown.ok_json(200)["state"], "healthy");
}

#[actix_web::test]
async fn a_receiver_that_fails_three_times_gets_the_message_once_more() {
    let app = app_sending(quick()).await;
    let receiver = Receiver::start();
    let (webhook, secret) = subscribe(&app, &receiver.url, &["action.changed"], "thin").await;
    receiver.fail_next(3);
    let id = action(&app, "Onthaalbeleid", None).await;
    receiver
        .until(Duration::from_secs(20), "an accepted message", |r| {
            r.iter().any(|m| m.answered == 204)
        })
        .await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let received = receiver.received();
    assert_eq!(
        received.iter().map(|r| r.answered).collect::<Vec<_>>(),
        vec![500, 500, 500, 204]
    );
    assert!(received
        .iter()
        .all(|r| r.id == received[0].id && signed_by(r, &secret)));
    assert_eq!(
        received[0].json()["data"]["link"],
        format!("/api/v1/actions/{id}")
    );
    assert!(
        received[0].json()["data"].get("after").is_none(),
        "a thin message"
    );
    let deliveries = app
        .get(&format!("/api/v1/webhooks/{webhook}/deliveries"))
        .await
        .ok_json(200);
    let delivery = &deliveries["items"][0];
    assert_eq!(delivery["status"], "delivered");
    assert_eq!(delivery["attempts"], 4);
    assert_eq!(delivery["last_status"], 204);
    assert_eq!(delivery["last_error"], Value::Null);
}

#[actix_web::test]
async fn a_receiver_down_during_100_writes_gets_all_of_them_in_order_when_it_is_back() {
    let app = app_sending(quick()).await;
    let port = Receiver::free_port();
    let url = format!("http://127.0.0.1:{port}/hooks");
    let (webhook, _) = subscribe(&app, &url, &["action.changed"], "thin").await;
    let id = action(&app, "Versie 0", None).await;
    for n in 1..100 {
        app.patch(
            &format!("/api/v1/actions/{id}"),
            &json!({ "title": format!("Versie {n}") }),
        )
        .await
        .ok_json(200);
    }
    // nothing gets through meanwhile: all are kept, and the first is being retried
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let pending = app
            .get(&format!(
                "/api/v1/webhooks/{webhook}/deliveries?status=pending&limit=1000"
            ))
            .await
            .ok_json(200);
        let items = pending["items"].as_array().unwrap();
        let head = items.last().cloned().unwrap_or_default();
        if items.len() == 100 && head["attempts"].as_i64().unwrap_or(0) >= 1 {
            assert!(head["last_error"].as_str().is_some(), "{head}");
            break;
        }
        assert!(Instant::now() < deadline, "{} pending: {head}", items.len());
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }

    let receiver = Receiver::on_port(port);
    receiver
        .until(Duration::from_secs(30), "100 messages", |r| r.len() >= 100)
        .await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let events: Vec<i64> = receiver
        .received()
        .iter()
        .map(|r| r.json()["data"]["audit_event_id"].as_i64().unwrap())
        .collect();
    assert_eq!(events.len(), 100, "each once");
    assert!(
        events.windows(2).all(|w| w[0] < w[1]),
        "in order: {events:?}"
    );
}

#[actix_web::test]
async fn two_instances_on_one_database_deliver_each_message_once() {
    let first = app_sending(quick()).await;
    let second = TestApp::spawn_with(Setup {
        database_url: Some(crate::helpers::database_url(
            first.db_name.as_ref().unwrap(),
        )),
        migrated: true,
        webhooks: Some(quick()),
        pool_size: 4,
        ..Setup::default()
    })
    .await;
    let receiver = Receiver::start();
    // two subscriptions, so both instances have work at once
    subscribe(&first, &receiver.url, &["action.changed"], "thin").await;
    subscribe(&first, &receiver.url, &["action.changed"], "full").await;
    for n in 0..30 {
        let app = if n % 2 == 0 { &first } else { &second };
        action(app, &format!("Actie {n}"), None).await;
    }
    receiver
        .until(Duration::from_secs(30), "60 messages", |r| r.len() >= 60)
        .await;
    actix_web::rt::time::sleep(Duration::from_secs(1)).await;
    let received = receiver.received();
    let mut per_subscription: HashMap<(String, bool), usize> = HashMap::new();
    for message in &received {
        let full = message.json()["data"].get("after").is_some();
        *per_subscription
            .entry((message.id.clone(), full))
            .or_default() += 1;
    }
    assert_eq!(received.len(), 60);
    assert!(
        per_subscription.values().all(|n| *n == 1),
        "{per_subscription:?}"
    );
}

#[actix_web::test]
async fn a_killed_instance_loses_no_message_and_a_resent_one_keeps_its_id() {
    use crate::startup::Service;
    let name = crate::helpers::fresh_database_name();
    let url = crate::helpers::database_url(&name);
    let env = [
        ("RUST_LOG", "error"),
        ("VOORTGANG_DEMO", "off"),
        ("VOORTGANG_WEBHOOK_HOSTS", "127.0.0.1"),
        ("VOORTGANG_WEBHOOK_TIMEOUT_SECS", "2"),
        ("VOORTGANG_WEBHOOK_RETRY_SECS", "1"),
    ];
    let mut service = Service::start_with(&url, &env);
    assert_eq!(service.status("/health/ready").await, 200);
    let client = awc::Client::default();
    let post = |address: &str, path: &str, body: Value| {
        client
            .post(format!("{address}{path}"))
            .bearer_auth(crate::helpers::ADMIN_TOKEN)
            .send_json(&body)
    };
    let receiver = Receiver::start();
    // the first message is held until the instance sending it is gone
    receiver.hold_next(1, Duration::from_secs(4));
    let created = post(
        &service.address,
        "/api/v1/webhooks",
        json!({"url": receiver.url, "event_types": ["domain.changed"]}),
    )
    .await
    .unwrap()
    .json::<Value>()
    .await
    .unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    for n in 0..5 {
        let status = post(
            &service.address,
            "/api/v1/domains",
            json!({"id": format!("domein-{n}"), "name": format!("Domein {n}")}),
        )
        .await
        .unwrap()
        .status();
        assert_eq!(status, 201);
    }
    receiver
        .until(Duration::from_secs(10), "the first message", |r| {
            !r.is_empty()
        })
        .await;
    service.kill();
    let held = receiver.received()[0].id.clone();

    let again = Service::start_with(&url, &env);
    assert_eq!(again.status("/health/ready").await, 200);
    receiver
        .until(Duration::from_secs(40), "all five messages", |r| {
            r.iter()
                .map(|m| m.id.clone())
                .collect::<BTreeSet<_>>()
                .len()
                == 5
                && r.iter().filter(|m| m.id == held).count() >= 2
        })
        .await;
    let received = receiver.received();
    assert!(received.iter().all(|m| signed_by(m, &secret)));
    let ids: Vec<String> = received.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids[0], held);
    assert_eq!(
        ids[1], held,
        "sent again first, under the same webhook-id: {ids:?}"
    );
    drop(again);
    crate::helpers::drop_database(&mut crate::helpers::connect("postgres"), &name);
}

#[actix_web::test]
async fn a_private_address_is_refused_without_the_allow_list() {
    let strict = app_sending(WebhookConfig {
        hosts: Vec::new(),
        ..quick()
    })
    .await;
    for url in [
        "http://127.0.0.1:9000/hooks",
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://[::1]/hooks",
        "https://169.254.169.254/latest/meta-data",
        "http://intranet.mechelen.be/hooks",
        "ftp://intranet.mechelen.be/hooks",
    ] {
        let refused = strict
            .post_json(
                "/api/v1/webhooks",
                &json!({"url": url, "event_types": ["action.changed"]}),
            )
            .await
            .problem(422);
        assert_eq!(strict_fields(&refused), vec!["url"], "{url}: {refused}");
    }

    // allowed by one instance, the target is still refused by an instance without the
    // allow-list: the address is checked when a message is sent
    let receiver = Receiver::start();
    let lenient = TestApp::spawn_with(Setup {
        database_url: Some(crate::helpers::database_url(
            strict.db_name.as_ref().unwrap(),
        )),
        migrated: true,
        // the allow-list, and no sender of its own
        webhooks: Some(WebhookConfig {
            workers: 0,
            ..quick()
        }),
        ..Setup::default()
    })
    .await;
    let (webhook, _) = subscribe(&lenient, &receiver.url, &["action.changed"], "thin").await;
    action(&strict, "Nieuw intranet", None).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let delivery = loop {
        let page = strict
            .get(&format!("/api/v1/webhooks/{webhook}/deliveries"))
            .await
            .ok_json(200);
        let first = page["items"][0].clone();
        // an attempt is counted when it starts, its error when it ends
        if first["last_error"].is_string() || Instant::now() > deadline {
            break first;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(delivery["status"], "pending", "{delivery}");
    assert!(
        delivery["last_error"]
            .as_str()
            .unwrap()
            .contains("allow-list"),
        "{delivery}"
    );
    assert!(receiver.received().is_empty());
}

fn strict_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn a_rotated_secret_signs_beside_the_previous_one_for_a_day() {
    let app = app_sending(quick()).await;
    let receiver = Receiver::start();
    let (webhook, old) = subscribe(&app, &receiver.url, &["action.changed"], "thin").await;
    let rotated = app
        .post_json(
            &format!("/api/v1/webhooks/{webhook}/rotate-secret"),
            &json!({}),
        )
        .await
        .ok_json(200);
    let new = rotated["secret"].as_str().unwrap();
    assert_ne!(new, old);
    assert!(rotated["previous_secret_until"].is_string());
    app.post_json(&format!("/api/v1/webhooks/{webhook}/ping"), &json!({}))
        .await
        .ok_json(202);
    receiver
        .until(Duration::from_secs(10), "the ping", |r| !r.is_empty())
        .await;
    let ping = &receiver.received()[0];
    assert_eq!(ping.json()["type"], "ping");
    assert_eq!(ping.signature.split(' ').count(), 2);
    assert!(signed_by(ping, new) && signed_by(ping, &old));
    // the rotation is in the audit trail, without either secret
    let trail = app.get("/api/v1/audit-events?entity_type=webhook").await;
    let text = String::from_utf8_lossy(&trail.body).to_string();
    assert!(!text.contains(new) && !text.contains(&old));
    assert_eq!(trail.ok_json(200)["items"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn a_subscription_failing_for_its_retry_period_stops_until_a_redelivery() {
    let app = app_sending(WebhookConfig {
        give_up_after: Duration::from_secs(1),
        ..quick()
    })
    .await;
    let receiver = Receiver::start();
    let (webhook, _) = subscribe(&app, &receiver.url, &["action.changed"], "thin").await;
    receiver.fail_next(1000);
    action(&app, "Eerste", None).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let shown = app
            .get(&format!("/api/v1/webhooks/{webhook}"))
            .await
            .ok_json(200);
        if shown["state"] == "failing" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the webhook is not failing: {shown}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let trail = app
        .get("/api/v1/audit-events?entity_type=webhook&actor=webhooks")
        .await
        .ok_json(200);
    assert_eq!(trail["items"][0]["after"]["state"], "failing");
    let failed = app
        .get(&format!(
            "/api/v1/webhooks/{webhook}/deliveries?status=failed"
        ))
        .await
        .ok_json(200);
    let failed = failed["items"][0]["id"].as_i64().unwrap();

    // the next write is kept, not sent, while the subscription is failing
    action(&app, "Tweede", None).await;
    actix_web::rt::time::sleep(Duration::from_millis(800)).await;
    let tried = receiver.received().len();
    actix_web::rt::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        receiver.received().len(),
        tried,
        "nothing is sent to a failing webhook"
    );

    receiver.fail_next(0);
    let redelivered = app
        .post_json(
            &format!("/api/v1/webhooks/{webhook}/deliveries/{failed}/redeliver"),
            &json!({}),
        )
        .await
        .ok_json(202);
    assert_eq!(redelivered["status"], "pending");
    receiver
        .until(Duration::from_secs(15), "both messages", |r| {
            r.iter().filter(|m| m.answered == 204).count() == 2
        })
        .await;
    let accepted: Vec<i64> = receiver
        .accepted()
        .iter()
        .map(|m| m.json()["data"]["audit_event_id"].as_i64().unwrap())
        .collect();
    assert!(
        accepted[0] < accepted[1],
        "the redelivered one first: {accepted:?}"
    );
    let shown = app
        .get(&format!("/api/v1/webhooks/{webhook}"))
        .await
        .ok_json(200);
    assert_eq!(shown["state"], "healthy");
    app.post_json(
        &format!("/api/v1/webhooks/{webhook}/deliveries/999999/redeliver"),
        &json!({}),
    )
    .await
    .problem(404);
}
