//! The yearly report assembled from the data.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use actix_web::http::Method;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::{Connection, RunQueryDsl};
use serde_json::{json, Value};

use crate::helpers::{prepared_with, send, titles, token, TestApp};

fn counts(report: &Value, part: &str) -> Vec<i64> {
    report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d[part]["count"].as_i64().unwrap())
        .collect()
}

#[actix_web::test]
async fn the_2022_report_reproduces_the_four_parts_of_the_seed() {
    let app = TestApp::with_demo().await;
    let response = app.get("/api/v1/reports/2022").await;
    let report = response.ok_json(200);
    assert_eq!(
        report["report"]["title"],
        "Voortgangsrapport 2022 Organisatiebeheersing"
    );
    assert_eq!(report["report"]["presented_to"], "Commissie Algemene Zaken");
    assert_eq!(report["report"]["presented_on"], "2023-06-06");
    assert_eq!(report["report"]["status"], "draft");
    assert!(report["report"]["introduction"]
        .as_str()
        .unwrap()
        .contains("Principe 4"));
    assert_eq!(report["labels"]["risks"], "Op te volgen hoge risico's");

    let names: Vec<&str> = report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "Organisatiecultuur");
    assert_eq!(names[6], "Bescherming activa");
    assert_eq!(counts(&report, "criteria"), [5, 5, 4, 5, 5, 5, 2]);
    assert_eq!(counts(&report, "risks"), [4, 4, 6, 3, 5, 2, 3]);
    assert_eq!(
        counts(&report, "realisations"),
        [29, 18, 19, 12, 23, 16, 14]
    );
    assert_eq!(counts(&report, "planning"), [11, 8, 9, 7, 9, 9, 5]);

    let culture = &report["domains"][0];
    assert_eq!(culture["criteria"]["label"], "Detail criterium");
    assert_eq!(culture["criteria"]["items"][3]["text"], "Risicocultuur");
    assert_eq!(culture["risks"]["items"][0]["title"], "Hoge werkdruk");
    assert_eq!(culture["risks"]["items"][0]["assessment"]["status"], "open");
    let realisations = titles(&culture["realisations"]);
    assert_eq!(
        realisations.len(),
        19,
        "sub-actions are nested, not listed at the top"
    );
    assert_eq!(realisations[0], "Personeelsnieuws Lunaweb");
    assert_eq!(
        realisations[18],
        "Werken bij de overheid: Mechelen – Kempen"
    );
    let wellbeing = &culture["realisations"]["items"][4];
    assert_eq!(wellbeing["title"], "Welzijn op het werk");
    let subs = titles(&wellbeing["sub_actions"]);
    assert_eq!(subs.len(), 10);
    assert_eq!(subs[0], "Welzijnsbevraging");
    assert_eq!(subs[9], "Week van het werkgeluk");
    assert_eq!(
        titles(&culture["planning"])[0],
        "Deontologie: opfrissing alle medewerkers Mechelen"
    );
    // every domain lists the transcribed seed's items, in its order, shared ones included
    let mut expected: std::collections::BTreeMap<(String, &str), Vec<String>> =
        std::collections::BTreeMap::new();
    let demo = voortgang::startup::demo::actions();
    let mut by_title = std::collections::HashMap::new();
    for entry in &demo.actions {
        let (title, domain, status) = match entry {
            voortgang::startup::demo::DemoEntry::Action(action) => {
                by_title.insert(action.title.clone(), action);
                (&action.title, &action.domain_ids[0], action.status)
            }
            voortgang::startup::demo::DemoEntry::SameAs(same) => (
                &same.same_as,
                &same.domain_id,
                by_title[&same.same_as].status,
            ),
        };
        let part = if status == voortgang::actions::statuses::dto::Progress::Realised {
            "realisations"
        } else {
            "planning"
        };
        expected
            .entry((domain.clone(), part))
            .or_default()
            .push(title.clone());
    }
    for domain in report["domains"].as_array().unwrap() {
        for part in ["realisations", "planning"] {
            let id = domain["id"].as_str().unwrap().to_string();
            assert_eq!(
                titles(&domain[part]),
                expected[&(id, part)],
                "{} {part}",
                domain["id"]
            );
        }
    }

    // an action shared by several domains has its own place in each, as in the seed
    let information = &report["domains"][5];
    assert_eq!(
        titles(&information["realisations"])[9..],
        [
            "Migratie Topdesk",
            "Audit financiële processen",
            "Instap LB365",
            "IoT-platform",
            "Audit informatiebeheer door Audio",
            "Optimalisatie financiële processen",
            "Orient8 – welkomapplicatie nieuwe Mechelaars",
        ]
    );
    let fraud = &report["domains"][2];
    assert_eq!(
        titles(&fraud["realisations"])[16..],
        [
            "Optimalisatie financiële processen",
            "Uitgewerkte processen in LB365",
            "Audit informatiebeheer door Audio",
        ]
    );
    let assets = &report["domains"][6];
    assert_eq!(
        titles(&assets["planning"]),
        [
            "Betere beveiliging wijk- en dorpshuizen",
            "Uitrol contractbeheer (Yucopia)",
            "Verduurzaming wagenpark",
            "Opdracht uitschrijven slim ruimte- en toegangsbeheer",
            "Interne mobiliteit",
        ]
    );

    let etag = response.header("etag").unwrap().to_string();
    let again = send(
        app.request(actix_web::http::Method::GET, "/api/v1/reports/2022")
            .insert_header(("If-None-Match", etag.as_str())),
        None,
    )
    .await;
    assert_eq!(again.status, 304);
}

#[actix_web::test]
async fn report_metadata_is_replaced_only_under_a_current_if_match() {
    let app = TestApp::spawn().await;
    let body = json!({"title": "Voortgangsrapport 2023 Organisatiebeheersing"});
    let put = |if_match: Option<String>, body: Value| {
        let mut request = app
            .request(actix_web::http::Method::PUT, "/api/v1/reports/2023")
            .insert_header(("Content-Type", "application/json"));
        if let Some(tag) = if_match {
            request = request.insert_header(("If-Match", tag));
        }
        send(request, Some(body.to_string()))
    };
    // nothing to match yet: a conditional create is refused
    put(Some("\"0\"".into()), body.clone()).await.problem(412);
    let created = put(None, body.clone()).await;
    created.ok_json(201);
    let first = created.header("etag").expect("an ETag").to_string();
    let replaced = put(Some(first.clone()), json!({"title": "Tweede titel"})).await;
    assert_eq!(replaced.ok_json(200)["title"], "Tweede titel");
    let second = replaced.header("etag").expect("an ETag").to_string();
    assert_ne!(first, second);
    // the first tag is stale now: nothing changes
    put(Some(first), json!({"title": "Derde titel"}))
        .await
        .problem(412);
    let years = app.get("/api/v1/reports").await.ok_json(200);
    assert_eq!(years[0]["title"], "Tweede titel");
    put(Some(second), json!({"title": "Derde titel"}))
        .await
        .ok_json(200);
}

#[actix_web::test]
async fn report_years_are_listed_set_and_validated() {
    let app = TestApp::with_demo().await;
    app.get("/api/v1/reports/2019").await.problem(404);
    let years = app.get("/api/v1/reports").await.ok_json(200);
    assert_eq!(years.as_array().unwrap().len(), 2);
    assert_eq!(years[0]["year"], 2022);
    assert_eq!(years[0]["status"], "draft");
    assert_eq!(years[1]["year"], 2023, "the demo opens 2023");
    assert_eq!(years[1]["status"], "collecting");

    let body = json!({"title": "Voortgangsrapport 2024 Organisatiebeheersing", "presented_to": "Gemeenteraad", "presented_on": "2024-06-25"});
    let created = app.put_json("/api/v1/reports/2024", &body).await;
    assert_eq!(created.ok_json(201)["status"], "draft");
    assert_eq!(
        app.put_json("/api/v1/reports/2024", &body)
            .await
            .ok_json(200)["presented_to"],
        "Gemeenteraad"
    );
    let report = app.get("/api/v1/reports/2024").await.ok_json(200);
    assert_eq!(
        report["report"]["title"],
        "Voortgangsrapport 2024 Organisatiebeheersing"
    );
    assert_eq!(counts(&report, "realisations"), [0, 0, 0, 0, 0, 0, 0]);

    let bad = app
        .put_json(
            "/api/v1/reports/2024",
            &json!({"title": "", "decision_url": "geen url", "status": "adopted"}),
        )
        .await;
    assert_eq!(bad.invalid_fields(), ["status"]);
    let bad = app
        .put_json(
            "/api/v1/reports/2024",
            &json!({"title": "", "decision_url": "geen url"}),
        )
        .await;
    assert_eq!(bad.invalid_fields(), ["decision_url", "title"]);
    assert_eq!(
        app.put_json("/api/v1/reports/1999", &body)
            .await
            .invalid_fields(),
        ["year"]
    );
}

#[actix_web::test]
async fn a_parent_is_shown_when_only_its_sub_action_is_realised() {
    let app = TestApp::with_domains(&["organisatiecultuur"]).await;
    let parent = app
        .post_json(
            "/api/v1/actions",
            &json!({"title": "Welzijn op het werk", "domain_ids": ["organisatiecultuur"]}),
        )
        .await
        .ok_json(201);
    let child = app
        .post_json("/api/v1/actions", &json!({"title": "Welzijnsbevraging", "domain_ids": ["organisatiecultuur"], "parent_id": parent["id"]}))
        .await
        .ok_json(201);
    app.put_json(
        &format!("/api/v1/actions/{}/statuses/2023", child["id"]),
        &json!({"status": "realised"}),
    )
    .await
    .ok_json(201);
    let report = app.get("/api/v1/reports/2023").await.ok_json(200);
    let realisations = &report["domains"][0]["realisations"];
    assert_eq!(titles(realisations), ["Welzijn op het werk"]);
    assert_eq!(
        realisations["items"][0]["status"],
        Value::Null,
        "shown for context only"
    );
    assert_eq!(
        titles(&realisations["items"][0]["sub_actions"]),
        ["Welzijnsbevraging"]
    );
    assert_eq!(realisations["count"], 2);
}

#[actix_web::test]
async fn assembling_costs_the_same_statements_whatever_the_size() {
    let app = TestApp::with_demo().await;
    let mut conn = app.db();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let instrumentation = move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { .. } = event {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    };
    conn.set_instrumentation(Box::new(instrumentation) as Box<dyn Instrumentation>);
    voortgang::reports::assemble::assemble(&mut conn, 2022).unwrap();
    let demo_size = count.swap(0, Ordering::Relaxed);
    voortgang::reports::assemble::assemble(&mut conn, 2024).unwrap_err();
    count.swap(0, Ordering::Relaxed);
    for n in 0..60 {
        app.put_json(&format!("/api/v1/actions/by-ref/EXTRA-{n}"), &json!({"title": format!("Extra {n}"), "domain_ids": ["organisatiecultuur"], "statuses": [{"year": 2022, "status": "realised"}]}))
            .await
            .ok_json(201);
    }
    let report = voortgang::reports::assemble::assemble(&mut conn, 2022).unwrap();
    let larger = count.swap(0, Ordering::Relaxed);
    assert_eq!(report.domains[0].realisations.count, 29 + 60);
    assert_eq!(
        demo_size, larger,
        "statements for the demo report and a larger one"
    );
    assert!(larger <= 10, "{larger} statements");

    // rendered through the cache: one statement (the data version) while nothing changes
    let cache = voortgang::reports::cache::ReportCache::default();
    let first = voortgang::reports::assemble::rendered(&mut conn, &cache, 2022, None).unwrap();
    assert_eq!(count.swap(0, Ordering::Relaxed), larger + 2);
    let again = voortgang::reports::assemble::rendered(&mut conn, &cache, 2022, None).unwrap();
    assert_eq!(count.swap(0, Ordering::Relaxed), 1);
    assert_eq!(first.body, again.body);
}

#[actix_web::test]
async fn the_cached_report_follows_every_change_to_its_data() {
    let app = TestApp::with_demo().await;
    let first = app.get("/api/v1/reports/2022").await;
    let etag = first.header("etag").unwrap().to_string();
    assert_eq!(
        first.ok_json(200),
        app.get("/api/v1/reports/2022").await.ok_json(200)
    );
    assert_eq!(
        app.get("/api/v1/reports/2022").await.header("etag"),
        Some(etag.as_str())
    );

    // through the API
    app.put_json(
        "/api/v1/actions/by-ref/NIEUW-1",
        &json!({"title": "Nieuwe actie", "domain_ids": ["organisatiecultuur"],
                "statuses": [{"year": 2022, "status": "planned"}]}),
    )
    .await
    .ok_json(201);
    let response = app.get("/api/v1/reports/2022").await;
    assert_ne!(response.header("etag"), Some(etag.as_str()));
    let report = response.ok_json(200);
    assert_eq!(
        titles(&report["domains"][0]["planning"]).last(),
        Some(&"Nieuwe actie")
    );

    // and outside the service, in SQL: heard within moments of the commit
    let mut conn = app.db();
    diesel::sql_query("UPDATE domains SET name = 'Cultuur' WHERE id = 'organisatiecultuur'")
        .execute(&mut conn)
        .unwrap();
    let report = eventually(&app, |r| r["domains"][0]["name"] == "Cultuur").await;
    assert_eq!(report["domains"][0]["name"], "Cultuur");
    diesel::sql_query(
        "UPDATE action_statuses SET status = 'realised' \
         WHERE action_id = (SELECT id FROM actions WHERE external_ref = 'NIEUW-1')",
    )
    .execute(&mut conn)
    .unwrap();
    let realised =
        |r: &Value| titles(&r["domains"][0]["realisations"]).last() == Some(&"Nieuwe actie");
    let report = eventually(&app, realised).await;
    assert!(realised(&report));
}

/// The 2022 report once `done` holds, or after two seconds, whichever comes first.
async fn eventually(app: &TestApp, done: impl Fn(&Value) -> bool) -> Value {
    let started = std::time::Instant::now();
    loop {
        let report = app.get("/api/v1/reports/2022").await.ok_json(200);
        if done(&report) || started.elapsed() > std::time::Duration::from_secs(2) {
            return report;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[actix_web::test]
async fn the_follow_up_classifies_what_became_of_last_years_plans() {
    let app = TestApp::with_demo().await;
    let planned = app
        .get("/api/v1/actions?domain_id=voorkomen-fraude-en-fouten&year=2022&status=planned&sort=id&limit=4")
        .await
        .ok_json(200);
    let ids: Vec<i64> = planned["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    for (id, status) in ids.iter().zip(["realised", "postponed", "in_progress"]) {
        app.put_json(
            &format!("/api/v1/actions/{id}/statuses/2023"),
            &json!({"status": status}),
        )
        .await
        .ok_json(201);
    }
    let risk = app.get("/api/v1/risks?q=werkdruk").await.ok_json(200)["items"][0]["id"]
        .as_i64()
        .unwrap();
    app.put_json(
        &format!("/api/v1/risks/{risk}/assessments/2023"),
        &json!({"status": "closed"}),
    )
    .await
    .ok_json(201);

    // the demo reviews 2023: answers count once another token approves them
    let submitted = app.get("/api/v1/reports/2023/follow-up").await.ok_json(200);
    assert_eq!(
        submitted["totals"]["realised"].as_i64().unwrap_or(0),
        0,
        "submitted, not yet approved"
    );
    let reviewer = token(&app, json!({"name": "coordinator", "role": "reviewer"})).await;
    let mut items: Vec<Value> = ids[..3]
        .iter()
        .map(|id| json!({"kind": "action_status", "id": id, "decision": "approve"}))
        .collect();
    items.push(json!({"kind": "risk_assessment", "id": risk, "decision": "approve"}));
    let request = app
        .request_as(Method::POST, "/api/v1/reports/2023/review", Some(&reviewer))
        .insert_header(("Content-Type", "application/json"));
    send(request, Some(json!({"items": items}).to_string()))
        .await
        .ok_json(200);

    let follow_up = app.get("/api/v1/reports/2023/follow-up").await.ok_json(200);
    assert_eq!(follow_up["previous_year"], 2022);
    let fraud = follow_up["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "voorkomen-fraude-en-fouten")
        .unwrap();
    assert_eq!(
        fraud["actions"].as_array().unwrap().len(),
        9,
        "the nine planning items of 2022"
    );
    let outcome = |id: i64| {
        fraud["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap()["outcome"]
            .clone()
    };
    assert_eq!(outcome(ids[0]), "realised");
    assert_eq!(outcome(ids[1]), "postponed");
    assert_eq!(outcome(ids[2]), "in_progress");
    assert_eq!(outcome(ids[3]), "no_update");
    assert_eq!(
        fraud["totals"],
        json!({"realised": 1, "in_progress": 1, "postponed": 1, "no_update": 6})
    );
    assert_eq!(follow_up["totals"]["realised"], 1);
    let all: i64 = follow_up["totals"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(
        all, 50,
        "every 2022 planning item once, also when it serves several domains"
    );

    let risks = follow_up["risks"].as_array().unwrap();
    assert_eq!(risks.len(), 27);
    let werkdruk = risks.iter().find(|r| r["id"] == risk).unwrap();
    assert_eq!(werkdruk["change"], "closed");
    assert_eq!(werkdruk["current"]["status"], "closed");
    assert!(risks
        .iter()
        .filter(|r| r["id"] != risk)
        .all(|r| r["change"] == "no_update"));

    app.get("/api/v1/reports/2030/follow-up").await.problem(404);
    // the last year there is has plans, but no year follows it
    app.put_json(
        &format!("/api/v1/actions/{}/statuses/2100", ids[0]),
        &json!({"status": "planned"}),
    )
    .await
    .ok_json(201);
    app.get("/api/v1/reports/2100/follow-up").await.ok_json(200);
    app.get("/api/v1/reports/2101/follow-up").await.problem(404);
}

#[actix_web::test]
async fn an_action_keeps_its_place_in_each_domain_when_it_changes() {
    let app = TestApp::with_demo().await;
    let found = app.get("/api/v1/actions?q=Topdesk").await.ok_json(200);
    let id = found["items"][0]["id"].as_i64().unwrap();
    let before = app.get("/api/v1/reports/2022").await.ok_json(200);
    // same domains in another order, and a new title: the places stay
    app.patch(
        &format!("/api/v1/actions/{id}"),
        &json!({"title": "Migratie naar Topdesk",
                "domain_ids": ["betrouwbare-informatie", "efficient-gebruik-middelen"]}),
    )
    .await
    .ok_json(200);
    let after = app.get("/api/v1/reports/2022").await.ok_json(200);
    for domain in [4, 5] {
        let was = titles(&before["domains"][domain]["realisations"]);
        let is = titles(&after["domains"][domain]["realisations"]);
        let at = was.iter().position(|t| *t == "Migratie Topdesk").unwrap();
        assert_eq!(is[at], "Migratie naar Topdesk");
        assert_eq!(was.len(), is.len());
    }
    // a domain it newly serves lists it last
    app.patch(
        &format!("/api/v1/actions/{id}"),
        &json!({"domain_ids": ["betrouwbare-informatie", "efficient-gebruik-middelen", "organisatiecultuur"]}),
    )
    .await
    .ok_json(200);
    let report = app.get("/api/v1/reports/2022").await.ok_json(200);
    let culture = titles(&report["domains"][0]["realisations"]);
    assert_eq!(culture.last(), Some(&"Migratie naar Topdesk"));
    assert_eq!(culture.len(), 20);
}

#[actix_web::test]
async fn an_adopted_report_is_preserved_byte_for_byte_and_its_year_locked() {
    let app = TestApp::with_demo().await;
    let planned = app
        .get("/api/v1/actions?domain_id=organisatiecultuur&year=2022&status=planned&limit=1")
        .await
        .ok_json(200)["items"][0]["id"]
        .as_i64()
        .unwrap();
    let risk = app.get("/api/v1/risks?limit=1").await.ok_json(200)["items"][0]["id"]
        .as_i64()
        .unwrap();

    let response = app
        .post_json(
            "/api/v1/reports/2022/adopt",
            &json!({"adopted_on": "2023-06-27",
                    "decision_url": "https://besluiten.mechelen.be/2023/06/27/voortgangsrapport"}),
        )
        .await;
    let adopted = response.ok_json(200);
    // the answer carries the entity tag of what it returns, like every write
    assert_eq!(
        response.header("etag"),
        Some(voortgang::api::etag::etag_of(&adopted).as_str())
    );
    assert_eq!(adopted["status"], "adopted");
    assert_eq!(adopted["adopted_on"], "2023-06-27");
    let sha256 = adopted["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha256.len(), 64);

    let served = app.get("/api/v1/reports/2022").await;
    assert_eq!(
        served.header("etag"),
        Some(format!("\"{sha256}\"").as_str())
    );
    let report = served.ok_json(200);
    assert_eq!(report["report"]["status"], "adopted");
    assert_eq!(report["report"]["sha256"], sha256.as_str());
    assert_eq!(report["report"]["adopted_on"], "2023-06-27");
    assert_eq!(report["domains"][0]["realisations"]["count"], 29);
    // the hash checks out: the body with zeros in place of its hash
    let body = String::from_utf8(served.body.clone()).unwrap();
    let unsealed = body.replace(&sha256, &"0".repeat(64));
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(unsealed.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, sha256);

    // the year is locked through the API ...
    let refused = app
        .put_json(
            &format!("/api/v1/actions/{planned}/statuses/2022"),
            &json!({"status": "realised"}),
        )
        .await
        .problem(409);
    assert!(
        refused["detail"].as_str().unwrap().contains("2022"),
        "{refused}"
    );
    app.delete(&format!("/api/v1/actions/{planned}/statuses/2022"))
        .await
        .problem(409);
    app.put_json(
        &format!("/api/v1/risks/{risk}/assessments/2022"),
        &json!({"status": "closed"}),
    )
    .await
    .problem(409);
    app.put_json(
        "/api/v1/actions/by-ref/LAAT-1",
        &json!({"title": "Te laat", "domain_ids": ["organisatiecultuur"],
                "statuses": [{"year": 2022, "status": "realised"}]}),
    )
    .await
    .problem(409);
    assert_eq!(
        app.get("/api/v1/actions?q=laat").await.ok_json(200)["items"],
        json!([]),
        "nothing of the refused upsert was kept"
    );
    app.delete(&format!("/api/v1/actions/{planned}"))
        .await
        .problem(409);
    app.put_json("/api/v1/reports/2022", &json!({"title": "Ander"}))
        .await
        .problem(409);
    let again = app
        .post_json("/api/v1/reports/2022/adopt", &json!({}))
        .await
        .problem(409);
    assert!(again["detail"].as_str().unwrap().contains("2023-06-27"));

    // ... and in SQL, outside the service
    let mut conn = app.db();
    for sql in [
        format!("UPDATE action_statuses SET status = 'realised' WHERE action_id = {planned} AND year = 2022"),
        format!("DELETE FROM action_statuses WHERE action_id = {planned} AND year = 2022"),
        format!("UPDATE action_statuses SET year = 2021 WHERE action_id = {planned} AND year = 2022"),
        format!("INSERT INTO risk_assessments (risk_id, year, status) VALUES ({risk}, 2022, 'open') ON CONFLICT (risk_id, year) DO UPDATE SET status = 'closed'"),
        "TRUNCATE action_statuses CASCADE".to_string(),
        "UPDATE report_snapshots SET body = '{}'".to_string(),
        "DELETE FROM report_snapshots".to_string(),
        "UPDATE report_years SET status = 'draft', sha256 = NULL WHERE year = 2022".to_string(),
    ] {
        let err = diesel::sql_query(&sql).execute(&mut conn).unwrap_err();
        assert!(err.to_string().contains("adopted"), "{sql}: {err}");
    }

    // what may change still does, and the served report stays the adopted one
    app.patch(
        &format!("/api/v1/actions/{planned}"),
        &json!({"title": "Nieuwe titel"}),
    )
    .await
    .ok_json(200);
    app.put_json(
        &format!("/api/v1/actions/{planned}/statuses/2023"),
        &json!({"status": "realised"}),
    )
    .await
    .ok_json(201);
    diesel::sql_query("UPDATE domains SET name = 'Cultuur' WHERE id = 'organisatiecultuur'")
        .execute(&mut conn)
        .unwrap();
    let later = app.get("/api/v1/reports/2022").await;
    assert_eq!(later.status, 200);
    assert_eq!(later.body, served.body, "byte for byte the adopted report");
    let fresh = crate::helpers::send(
        app.request(actix_web::http::Method::GET, "/api/v1/reports/2022")
            .insert_header(("If-None-Match", format!("\"{sha256}\""))),
        None,
    )
    .await;
    assert_eq!(fresh.status, 304);

    // listed as adopted, and audited
    let years = app.get("/api/v1/reports").await.ok_json(200);
    let listed = years
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2022)
        .unwrap();
    assert_eq!(listed["status"], "adopted");
    assert_eq!(listed["sha256"], sha256.as_str());
    let events = app
        .get("/api/v1/audit-events?entity_type=report_year")
        .await
        .ok_json(200);
    let last = events["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["operation"], "update");
    assert_eq!(last["before"]["status"], "draft");
    assert_eq!(last["after"]["status"], "adopted");
    assert_eq!(last["after"]["sha256"], sha256.as_str());
}

#[actix_web::test]
async fn adoption_takes_an_optional_body_and_a_year_with_data() {
    let app = TestApp::with_demo().await;
    app.post_json("/api/v1/reports/2031/adopt", &json!({}))
        .await
        .problem(404);
    // `null` is read as no body (the body is checked before the year)
    app.post_json("/api/v1/reports/2031/adopt", &Value::Null)
        .await
        .problem(404);
    let invalid = app
        .post_json(
            "/api/v1/reports/2022/adopt",
            &json!({"decision_url": "geen link"}),
        )
        .await;
    assert_eq!(invalid.invalid_fields(), ["decision_url"]);
    let unknown = app
        .post_json("/api/v1/reports/2022/adopt", &json!({"adopted": true}))
        .await;
    assert_eq!(unknown.invalid_fields(), ["adopted"]);
    // no body at all: adopted today, with the metadata's decision link
    let adopted = send(
        app.request(actix_web::http::Method::POST, "/api/v1/reports/2022/adopt"),
        None,
    )
    .await
    .ok_json(200);
    assert_eq!(adopted["status"], "adopted");
    assert_eq!(
        adopted["adopted_on"],
        chrono::Utc::now().date_naive().to_string()
    );
}

/// The elements named `tag` in a well-formed (XML-parsable) HTML document, with their text.
fn elements(document: &roxmltree::Document<'_>, tag: &str) -> Vec<String> {
    document
        .descendants()
        .filter(|n| n.tag_name().name() == tag)
        .map(|n| {
            n.descendants()
                .filter(|d| d.is_text())
                .map(|d| d.text().unwrap_or_default())
                .collect()
        })
        .collect()
}

#[actix_web::test]
async fn the_report_prints_as_a_well_formed_html_document() {
    let app = TestApp::with_demo().await;
    let response = app.get("/api/v1/reports/2022/document").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.content_type(), "text/html; charset=utf-8");
    let text = String::from_utf8(response.body.clone()).unwrap();
    assert!(text.starts_with("<!DOCTYPE html>\n<html lang=\"nl\">"));
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let document = roxmltree::Document::parse_with_options(&text, options)
        .unwrap_or_else(|e| panic!("not well-formed: {e}"));
    assert_eq!(
        elements(&document, "h1"),
        ["Voortgangsrapport 2022 Organisatiebeheersing"]
    );
    let headings = elements(&document, "h2");
    assert_eq!(headings[..2], ["Inleiding", "Overzicht"]);
    assert_eq!(
        headings[2..],
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
    // the four parts side by side, sub-actions nested, the chart inline
    let culture = document
        .descendants()
        .find(|n| n.attribute("id") == Some("domein-organisatiecultuur"))
        .unwrap();
    let parts = culture
        .descendants()
        .find(|n| n.attribute("class") == Some("parts"))
        .unwrap();
    let columns: Vec<String> = parts
        .descendants()
        .filter(|n| n.tag_name().name() == "th")
        .map(|n| n.text().unwrap().to_string())
        .collect();
    assert_eq!(
        columns,
        [
            "Detail criterium",
            "Op te volgen hoge risico's",
            "Realisaties",
            "Planning"
        ]
    );
    let nested = parts
        .descendants()
        .find(|n| n.tag_name().name() == "li" && n.text() == Some("Welzijn op het werk"))
        .unwrap();
    let subs: Vec<&str> = nested
        .descendants()
        .filter(|n| n.tag_name().name() == "li")
        .skip(1)
        .map(|n| n.text().unwrap())
        .collect();
    assert_eq!(subs.len(), 10);
    assert_eq!(subs[0], "Welzijnsbevraging");
    let svg = document
        .descendants()
        .find(|n| n.tag_name().name() == "svg")
        .unwrap();
    let bars = svg
        .descendants()
        .filter(|n| n.tag_name().name() == "rect")
        .count();
    assert_eq!(bars, 2 + 2 * 7, "a legend and two bars per domain");
    let totals: Vec<&str> = document
        .descendants()
        .find(|n| n.tag_name().name() == "tfoot")
        .unwrap()
        .descendants()
        .filter(|n| n.tag_name().name() == "th")
        .map(|n| n.text().unwrap())
        .collect();
    assert_eq!(totals, ["Totaal", "31", "27", "131", "58"]);

    // a second request for the same document is 304 with its entity tag
    let etag = response.header("etag").unwrap();
    let again = send(
        app.request(
            actix_web::http::Method::GET,
            "/api/v1/reports/2022/document",
        )
        .insert_header(("If-None-Match", etag)),
        None,
    )
    .await;
    assert_eq!(again.status, 304);
    app.get("/api/v1/reports/2022/document?format=pdf")
        .await
        .problem(400);
    app.get("/api/v1/reports/2031/document").await.problem(404);
}

#[actix_web::test]
async fn report_documents_escape_the_data_and_follow_the_snapshot() {
    let app = TestApp::with_demo().await;
    let evil = "<script>alert('x')</script> & [klik](javascript:alert(1)) *";
    app.put_json(
        "/api/v1/actions/by-ref/EVIL",
        &json!({"title": evil, "domain_ids": ["organisatiecultuur"],
                "statuses": [{"year": 2022, "status": "realised"}]}),
    )
    .await
    .ok_json(201);
    let html = app.get("/api/v1/reports/2022/document?format=html").await;
    let text = String::from_utf8(html.body.clone()).unwrap();
    assert!(!text.contains("<script>"));
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let document = roxmltree::Document::parse_with_options(&text, options).unwrap();
    assert!(
        elements(&document, "li").iter().any(|li| li == evil),
        "the title reads as written"
    );
    assert_eq!(elements(&document, "script").len(), 0);

    let markdown = app
        .get("/api/v1/reports/2022/document?format=markdown")
        .await;
    assert_eq!(markdown.status, 200);
    assert_eq!(markdown.content_type(), "text/markdown; charset=utf-8");
    let text = String::from_utf8(markdown.body.clone()).unwrap();
    assert!(text.starts_with("# Voortgangsrapport 2022 Organisatiebeheersing\n"));
    assert!(text.contains("\n## Organisatiecultuur\n"));
    assert!(text.contains("\n### Realisaties\n"));
    assert!(text.contains("\n- Welzijn op het werk\n  - Welzijnsbevraging\n"));
    assert!(text.contains("| Organisatiecultuur | 5 | 4 | 30 | 11 |"));
    assert!(text.contains(
        "- \\<script\\>alert('x')\\</script\\> &amp; \\[klik\\](javascript:alert(1)) \\*\n"
    ));
    assert_ne!(markdown.header("etag"), html.header("etag"));

    // an adopted year prints from its snapshot
    app.post_json("/api/v1/reports/2022/adopt", &json!({}))
        .await
        .ok_json(200);
    let mut conn = app.db();
    diesel::sql_query("UPDATE domains SET name = 'Cultuur' WHERE id = 'organisatiecultuur'")
        .execute(&mut conn)
        .unwrap();
    let text = String::from_utf8(
        app.get("/api/v1/reports/2022/document?format=markdown")
            .await
            .body,
    )
    .unwrap();
    assert!(text.contains("\n## Organisatiecultuur\n"));
    assert!(text.contains("- **Status:** Vastgesteld\n"));
    assert!(!text.contains("Cultuur\n"));
}

#[actix_web::test]
async fn report_links_are_web_addresses_and_dates_are_plausible_before_they_are_frozen() {
    let app = TestApp::with_demo().await;
    let meta = |extra: Value| {
        let mut body = json!({"title": "Voortgangsrapport 2024 Organisatiebeheersing"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    for bad in [
        "javascript:alert(1)",
        "data:text/html,x",
        "/besluiten/2024",
        "ftp://x.be/a",
    ] {
        let response = app
            .put_json("/api/v1/reports/2024", &meta(json!({"decision_url": bad})))
            .await;
        assert_eq!(response.invalid_fields(), ["decision_url"], "{bad}");
    }
    let response = app
        .put_json(
            "/api/v1/reports/2024",
            &meta(json!({"presented_on": "0001-01-01"})),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["presented_on"]);
    app.put_json(
        "/api/v1/reports/2024",
        &meta(
            json!({"decision_url": "https://besluiten.mechelen.be/2024/06/25/x",
                     "presented_on": "2024-06-04"}),
        ),
    )
    .await
    .ok_json(201);

    for (adopted_on, why) in [
        ("0000-01-01", "implausible"),
        ("2021-12-31", "before the year"),
    ] {
        let response = app
            .post_json(
                "/api/v1/reports/2022/adopt",
                &json!({"adopted_on": adopted_on}),
            )
            .await;
        assert_eq!(response.invalid_fields(), ["adopted_on"], "{why}");
    }
    let response = app
        .post_json(
            "/api/v1/reports/2022/adopt",
            &json!({"decision_url": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["decision_url"]);
    // nothing was frozen by the refused attempts
    let report = app.get("/api/v1/reports/2022").await.ok_json(200);
    assert_eq!(report["report"]["status"], "draft");
}

#[actix_web::test]
async fn the_report_sections_read_by_name_are_prepared_once_per_connection_whatever_the_year() {
    let app = TestApp::with_demo().await;
    let mut conn = app.db();
    use voortgang::{audits::recommendations::summary, self_evaluations::trend};
    voortgang::reports::assemble::assemble(&mut conn, 2022).unwrap();
    for year in [2021, 2022, 2023] {
        summary::summary(&mut conn, year).unwrap();
        trend::trend_with_source(&mut conn, None, Some(year)).unwrap();
    }
    // the recommendations' follow-up and the maturity trend: kept once, reused for every year
    for needle in ["WITH counted AS", "t.code AS theme_code"] {
        let kept = prepared_with(&mut conn, needle);
        assert_eq!(kept.len(), 1, "statements with {needle:?}: {kept:#?}");
    }
}
