//! `kill -9` in the middle of 1000-item batches: after a restart every batch is there entirely
//! or not at all, and the audit trail matches the data exactly.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::json;

use crate::helpers::{connect, database_url, drop_database, fresh_database_name, ADMIN_TOKEN};
use crate::startup::Service;

const ROUNDS: u32 = 20;
const ITEMS: u32 = 1000;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, sql: &str, prefix: &str) -> i64 {
    diesel::sql_query(sql)
        .bind::<Text, _>(format!("{prefix}%"))
        .get_result::<Count>(conn)
        .unwrap()
        .n
}

/// How long one batch takes here, measured with a batch of its own (prefix `CAL-`).
async fn calibrate(service: &Service) -> Duration {
    let items: Vec<_> = (0..ITEMS)
        .map(|i| {
            json!({"external_ref": format!("CAL-{i}"), "title": format!("Ijking {i}"),
                   "domain_ids": ["organisatiecultuur"],
                   "statuses": [{"year": 2023, "status": "planned"}]})
        })
        .collect();
    let started = Instant::now();
    let response = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .finish()
        .post(format!("{}/api/v1/actions/batch", service.address))
        .bearer_auth(ADMIN_TOKEN)
        .send_json(&json!({ "items": items }))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    started.elapsed()
}

#[actix_web::test]
async fn batches_killed_midway_are_all_or_nothing_with_their_audit_events() {
    let _turn = crate::helpers::timed_alone().await;
    let name = fresh_database_name();
    let url = database_url(&name);
    let mut acknowledged = Vec::new();
    let mut duration = None;
    for round in 0..ROUNDS {
        let mut service = Service::start(&url);
        service.ready().await;
        if duration.is_none() {
            duration = Some(calibrate(&service).await);
        }
        let items: Vec<_> = (0..ITEMS)
            .map(|i| {
                json!({
                    "external_ref": format!("K{round}-{i}"),
                    "title": format!("Actie {i} van ronde {round}"),
                    "domain_ids": ["organisatiecultuur"],
                    "statuses": [{"year": 2023, "status": "planned"}]
                })
            })
            .collect();
        let address = service.address.clone();
        let batch = actix_web::rt::spawn(async move {
            awc::Client::builder()
                .timeout(Duration::from_secs(60))
                .finish()
                .post(format!("{address}/api/v1/actions/batch"))
                .bearer_auth(ADMIN_TOKEN)
                .send_json(&json!({ "items": items }))
                .await
                .map(|response| response.status().as_u16())
        });
        // a different moment each round, from the start of the batch to after its end
        let spread = duration.unwrap().mul_f64(2.5);
        let delay = spread.mul_f64(f64::from((round * 7) % ROUNDS) / f64::from(ROUNDS));
        actix_web::rt::time::sleep(delay).await;
        service.kill();
        if let Ok(Ok(200)) = batch.await {
            acknowledged.push(round);
        }
    }

    let mut conn = connect(&name);
    let mut committed = 0;
    for round in 0..ROUNDS {
        let prefix = format!("K{round}-");
        let actions = count(
            &mut conn,
            "SELECT count(*) AS n FROM actions WHERE external_ref LIKE $1",
            &prefix,
        );
        let statuses = count(
            &mut conn,
            "SELECT count(*) AS n FROM action_statuses s JOIN actions a ON a.id = s.action_id \
             WHERE a.external_ref LIKE $1",
            &prefix,
        );
        let events = count(
            &mut conn,
            "SELECT count(*) AS n FROM audit_events WHERE entity_type = 'action' \
             AND operation = 'create' AND after ->> 'external_ref' LIKE $1",
            &prefix,
        );
        assert!(
            actions == 0 || actions == i64::from(ITEMS),
            "round {round}: {actions} of {ITEMS} actions"
        );
        assert_eq!(statuses, actions, "round {round}: statuses");
        assert_eq!(events, actions, "round {round}: audit events");
        if acknowledged.contains(&round) {
            assert_eq!(actions, i64::from(ITEMS), "round {round} was acknowledged");
        }
        if actions > 0 {
            committed += 1;
        }
    }
    eprintln!(
        "kill -9: {ROUNDS} rounds of {ITEMS}-item batches (one takes {:?}); {committed} committed \
         entirely ({} acknowledged before the kill), {} left no trace",
        duration.unwrap(),
        acknowledged.len(),
        ROUNDS - committed
    );
    // the kills fell both inside batches and after them, or the test proved half of it
    assert!(
        committed > 0 && committed < ROUNDS,
        "{committed} of {ROUNDS} rounds committed"
    );
    drop(conn);
    drop_database(&mut connect("postgres"), &name);
}
