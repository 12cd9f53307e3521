//! Two service processes on one database, many writers on one action: `If-Match` lets exactly
//! one writer per version through, and the audit trail holds exactly the successful writes.

use serde_json::{json, Value};

use crate::helpers::{connect, database_url, drop_database, fresh_database_name, ADMIN_TOKEN};
use crate::startup::Service;

async fn call(
    address: &str,
    method: &str,
    path: &str,
    if_match: Option<&str>,
    body: Option<Value>,
) -> (u16, Option<String>, Value) {
    let client = awc::Client::default();
    let mut request = client
        .request(
            actix_web::http::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{address}{path}"),
        )
        .bearer_auth(ADMIN_TOKEN);
    if let Some(etag) = if_match {
        request = request.insert_header(("If-Match", etag));
    }
    let mut response = match body {
        Some(body) => request
            .insert_header(("Content-Type", "application/merge-patch+json"))
            .send_body(body.to_string())
            .await
            .unwrap(),
        None => request.send().await.unwrap(),
    };
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = response.body().await.unwrap();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (response.status().as_u16(), etag, value)
}

#[actix_web::test]
async fn fifty_writers_on_two_processes_one_success_per_version() {
    let _turn = crate::helpers::timed_alone().await;
    let name = fresh_database_name();
    let url = database_url(&name);
    let mut first = Service::start(&url);
    first.ready().await;
    let mut second = Service::start(&url);
    second.ready().await;
    let addresses = [first.address.clone(), second.address.clone()];
    let action = call(&addresses[0], "GET", "/api/v1/actions?limit=1", None, None)
        .await
        .2["items"][0]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/actions/{action}");

    let rounds = 3;
    let mut successes = 0;
    for round in 0..rounds {
        // everyone read the same version (from the database, through the first process)
        let (_, etag, _) = call(&addresses[0], "GET", &path, None, None).await;
        let etag = etag.unwrap();
        let writers: Vec<_> = (0..50)
            .map(|writer| {
                let address = addresses[writer % 2].clone();
                let path = path.clone();
                let etag = etag.clone();
                actix_web::rt::spawn(async move {
                    call(
                        &address,
                        "PATCH",
                        &path,
                        Some(&etag),
                        Some(json!({"title": format!("Ronde {round}, schrijver {writer}")})),
                    )
                    .await
                    .0
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for writer in writers {
            statuses.push(writer.await.unwrap());
        }
        let won = statuses.iter().filter(|s| **s == 200).count();
        let refused = statuses.iter().filter(|s| **s == 412).count();
        assert_eq!((won, refused), (1, 49), "round {round}: {statuses:?}");
        successes += won;
    }

    // the audit trail holds exactly the successful updates of the action
    let events = call(
        &addresses[1],
        "GET",
        &format!("/api/v1/actions/{action}/history?limit=1000"),
        None,
        None,
    )
    .await
    .2;
    let updates = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["operation"] == "update")
        .count();
    assert_eq!(updates, successes);
    for service in [&mut first, &mut second] {
        let status = service.terminate();
        assert!(status.success(), "exit status {status:?}");
    }
    drop(first);
    drop(second);
    drop_database(&mut connect("postgres"), &name);
}

/// A create that loses a race to a write committed meanwhile: the row is inserted in an open
/// transaction outside the service, the service's own check does not see it yet, its insert
/// waits on the unique index, and the commit makes it fail there.
async fn losing_a_race(
    app: &crate::helpers::TestApp,
    row: &str,
    path: &str,
    body: Value,
) -> crate::helpers::TestResponse {
    use diesel::connection::SimpleConnection;
    let mut conn = app.db();
    conn.batch_execute(&format!("BEGIN; {row}")).unwrap();
    let request = app.request(actix_web::http::Method::POST, path);
    let pending = actix_web::rt::spawn(async move {
        crate::helpers::send(
            request.insert_header(("Content-Type", "application/json")),
            Some(body.to_string()),
        )
        .await
    });
    // commit only once the service's insert waits on the row lock: then it must lose
    app.until_waiting_on_locks(1).await;
    conn.batch_execute("COMMIT").unwrap();
    pending.await.unwrap()
}

#[actix_web::test]
async fn a_create_that_loses_a_race_gets_the_problem_of_the_checks_not_the_database_text() {
    let app = crate::helpers::TestApp::with_domains(&["organisatiecultuur"]).await;
    let token = losing_a_race(
        &app,
        "INSERT INTO api_tokens (name, role, secret_hash) \
         VALUES ('gelijktijdig', 'reader', decode(repeat('ab', 32), 'hex'))",
        "/api/v1/tokens",
        json!({"name": "gelijktijdig", "role": "reader"}),
    )
    .await;
    let problem = token.problem(409);
    assert_eq!(problem["detail"], "A token with this name already exists.");

    let action = losing_a_race(
        &app,
        "INSERT INTO actions (external_ref, title) VALUES ('RACE-1', 'Elders aangemaakt'); \
         INSERT INTO action_domains (action_id, domain_id, position) \
         SELECT id, 'organisatiecultuur', 1 FROM actions WHERE external_ref = 'RACE-1'",
        "/api/v1/actions",
        json!({"external_ref": "RACE-1", "title": "Hier aangemaakt",
               "domain_ids": ["organisatiecultuur"]}),
    )
    .await;
    let problem = action.problem(409);
    assert_eq!(
        problem["detail"],
        "An action with this external_ref already exists."
    );
    for problem in [token.json(), action.json()] {
        let text = problem.to_string();
        assert!(
            !text.contains("_key") && !text.contains("duplicate"),
            "{text}"
        );
    }
}
