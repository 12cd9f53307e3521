//! The yearly report assembled from the data.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::Connection;
use serde_json::{json, Value};

use crate::helpers::{send, TestApp};

fn counts(report: &Value, part: &str) -> Vec<i64> {
    report["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d[part]["count"].as_i64().unwrap())
        .collect()
}

/// The titles of a section's items, or of a list of sub-actions.
fn titles(list: &Value) -> Vec<&str> {
    let items = if list["items"].is_array() {
        &list["items"]
    } else {
        list
    };
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
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
    // shared actions follow creation order, not yet each domain's own order in the seed
    let assets = &report["domains"][6];
    let mut planning = titles(&assets["planning"]);
    planning.sort_unstable();
    assert_eq!(
        planning,
        [
            "Betere beveiliging wijk- en dorpshuizen",
            "Interne mobiliteit",
            "Opdracht uitschrijven slim ruimte- en toegangsbeheer",
            "Uitrol contractbeheer (Yucopia)",
            "Verduurzaming wagenpark",
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
async fn report_years_are_listed_set_and_validated() {
    let app = TestApp::with_demo().await;
    app.get("/api/v1/reports/2019").await.problem(404);
    let years = app.get("/api/v1/reports").await.ok_json(200);
    assert_eq!(years.as_array().unwrap().len(), 1);
    assert_eq!(years[0]["year"], 2022);

    let body = json!({"title": "Voortgangsrapport 2023 Organisatiebeheersing", "presented_to": "Gemeenteraad", "presented_on": "2024-06-25"});
    let created = app.put_json("/api/v1/reports/2023", &body).await;
    assert_eq!(created.ok_json(201)["status"], "draft");
    assert_eq!(
        app.put_json("/api/v1/reports/2023", &body)
            .await
            .ok_json(200)["presented_to"],
        "Gemeenteraad"
    );
    let report = app.get("/api/v1/reports/2023").await.ok_json(200);
    assert_eq!(
        report["report"]["title"],
        "Voortgangsrapport 2023 Organisatiebeheersing"
    );
    assert_eq!(counts(&report, "realisations"), [0, 0, 0, 0, 0, 0, 0]);

    let bad = app
        .put_json(
            "/api/v1/reports/2023",
            &json!({"title": "", "decision_url": "geen url", "status": "adopted"}),
        )
        .await;
    assert_eq!(bad.invalid_fields(), ["status"]);
    let bad = app
        .put_json(
            "/api/v1/reports/2023",
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
    voortgang::reports::assemble::assemble(&mut conn, 2023).unwrap_err();
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
}
