use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::Connection;
use serde_json::{json, Value};

use voortgang::actions::dto::NewAction;
use voortgang::actions::repo::{self, ActionFilter};
use voortgang::actions::statuses::dto::{Progress, StatusInput};
use voortgang::api::listing::Window;

use crate::helpers::{prepared_with, titles, TestApp};

/// The domains these tests link to; the demo's risks and actions stay out of the counts.
const DOMAINS: &[&str] = &[
    "organisatiecultuur",
    "bereiken-doelstellingen",
    "efficient-gebruik-middelen",
    "betrouwbare-informatie",
    "bescherming-activa",
];

async fn create(app: &TestApp, body: Value) -> Value {
    app.post_json("/api/v1/actions", &body).await.ok_json(201)
}

fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap()
}

#[actix_web::test]
async fn an_action_is_created_read_changed_and_deleted() {
    let app = TestApp::with_domains(DOMAINS).await;
    app.post_json("/api/v1/departments", &json!({"id": "ict", "name": "ICT"}))
        .await
        .ok_json(201);
    let risk = app
        .post_json(
            "/api/v1/risks",
            &json!({"domain_id": "betrouwbare-informatie", "title": "Digitaal gegevensbeheer"}),
        )
        .await
        .ok_json(201);
    let response = app
        .post_json(
            "/api/v1/actions",
            &json!({
                "external_ref": "ICT-7", "title": "Migratie Topdesk",
                "domain_ids": ["efficient-gebruik-middelen", "betrouwbare-informatie", "efficient-gebruik-middelen"],
                "risk_ids": [risk["id"]], "theme_codes": ["ICT"], "department_id": "ict", "plan_ref": "AP 4.1"
            }),
        )
        .await;
    let action = response.ok_json(201);
    let action_id = id(&action);
    assert_eq!(
        response.header("location"),
        Some(format!("/api/v1/actions/{action_id}").as_str())
    );
    assert_eq!(
        action["domain_ids"],
        json!(["betrouwbare-informatie", "efficient-gebruik-middelen"])
    );
    assert_eq!(action["risk_ids"], json!([risk["id"]]));
    assert_eq!(action["statuses"], json!([]));
    assert_eq!(action["parent_id"], Value::Null);

    let changed = app
        .patch(
            &format!("/api/v1/actions/{action_id}"),
            &json!({"domain_ids": ["efficient-gebruik-middelen"], "plan_ref": null, "description": "Van Protime naar Topdesk."}),
        )
        .await
        .ok_json(200);
    assert_eq!(changed["domain_ids"], json!(["efficient-gebruik-middelen"]));
    assert_eq!(changed["plan_ref"], Value::Null);
    assert_eq!(changed["external_ref"], "ICT-7");
    assert_eq!(changed["risk_ids"], json!([risk["id"]]));

    // the risk is addressed: deleting it needs cascade, which unlinks the action
    app.delete(&format!("/api/v1/risks/{}", risk["id"]))
        .await
        .problem(409);
    assert_eq!(
        app.delete(&format!("/api/v1/risks/{}?cascade=true", risk["id"]))
            .await
            .status,
        204
    );
    let unlinked = app
        .get(&format!("/api/v1/actions/{action_id}"))
        .await
        .ok_json(200);
    assert_eq!(unlinked["risk_ids"], json!([]));
    assert_ne!(
        unlinked["updated_at"], changed["updated_at"],
        "unlinking changes the action"
    );

    // a domain or department in use cannot be deleted
    app.delete("/api/v1/departments/ict").await.problem(409);

    assert_eq!(
        app.delete(&format!("/api/v1/actions/{action_id}"))
            .await
            .status,
        204
    );
    app.get(&format!("/api/v1/actions/{action_id}"))
        .await
        .problem(404);
}

#[actix_web::test]
async fn statuses_are_set_per_year_and_re_running_a_put_changes_nothing() {
    let app = TestApp::with_domains(DOMAINS).await;
    let action = create(
        &app,
        json!({"title": "Nieuw intranet", "domain_ids": ["organisatiecultuur"]}),
    )
    .await;
    let path = format!("/api/v1/actions/{}/statuses", id(&action));

    let first = app
        .put_json(&format!("{path}/2022"), &json!({"status": "planned"}))
        .await;
    assert_eq!(first.status, 201);
    assert_eq!(
        first.header("location"),
        Some(format!("{path}/2022").as_str())
    );
    let again = app
        .put_json(&format!("{path}/2022"), &json!({"status": "planned"}))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["status"], "planned");
    app.put_json(
        &format!("{path}/2023"),
        &json!({"status": "realised", "progress": 100, "note": "Live"}),
    )
    .await
    .ok_json(201);

    let list = app.get(&path).await.ok_json(200);
    let years: Vec<(i64, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["year"].as_i64().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(years, [(2022, "planned"), (2023, "realised")]);
    let embedded = app
        .get(&format!("/api/v1/actions/{}", id(&action)))
        .await
        .ok_json(200);
    assert_eq!(embedded["statuses"], list);

    assert_eq!(
        app.put_json(&format!("{path}/2022"), &json!({"status": "klaar"}))
            .await
            .invalid_fields(),
        ["status"]
    );
    assert_eq!(
        app.put_json(
            &format!("{path}/2022"),
            &json!({"status": "planned", "progress": 101})
        )
        .await
        .invalid_fields(),
        ["progress"]
    );
    assert_eq!(
        app.put_json(&format!("{path}/2101"), &json!({"status": "planned"}))
            .await
            .invalid_fields(),
        ["year"]
    );
    app.put_json(
        "/api/v1/actions/999999/statuses/2022",
        &json!({"status": "planned"}),
    )
    .await
    .problem(404);

    assert_eq!(app.delete(&format!("{path}/2023")).await.status, 204);
    app.get(&format!("{path}/2023")).await.problem(404);
    assert_eq!(
        app.get(&format!("{path}/2022")).await.ok_json(200)["status"],
        "planned"
    );
}

#[actix_web::test]
async fn sub_actions_nest_without_cycles_and_delete_only_with_cascade() {
    let app = TestApp::with_domains(DOMAINS).await;
    let parent = create(
        &app,
        json!({"title": "Welzijn op het werk", "domain_ids": ["organisatiecultuur"]}),
    )
    .await;
    let child = create(&app, json!({"title": "Welzijnsbevraging", "domain_ids": ["organisatiecultuur"], "parent_id": parent["id"]})).await;
    let grandchild = create(
        &app,
        json!({"title": "Analyse", "domain_ids": ["organisatiecultuur"], "parent_id": child["id"]}),
    )
    .await;

    let response = app
        .patch(
            &format!("/api/v1/actions/{}", id(&parent)),
            &json!({"parent_id": grandchild["id"]}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["parent_id"]);
    let response = app
        .patch(
            &format!("/api/v1/actions/{}", id(&parent)),
            &json!({"parent_id": parent["id"]}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["parent_id"]);
    let response = app
        .post_json(
            "/api/v1/actions",
            &json!({"title": "X", "domain_ids": ["organisatiecultuur"], "parent_id": 999999}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["parent_id"]);

    let subs = app
        .get(&format!("/api/v1/actions?parent_id={}", id(&parent)))
        .await
        .ok_json(200);
    assert_eq!(titles(&subs), ["Welzijnsbevraging"]);
    let top = app.get("/api/v1/actions?top_level=true").await.ok_json(200);
    assert_eq!(titles(&top), ["Welzijn op het werk"]);

    let problem = app
        .delete(&format!("/api/v1/actions/{}", id(&parent)))
        .await
        .problem(409);
    assert!(problem["detail"].as_str().unwrap().contains("2 sub-action"));
    assert_eq!(
        app.delete(&format!("/api/v1/actions/{}?cascade=true", id(&parent)))
            .await
            .status,
        204
    );
    for gone in [&parent, &child, &grandchild] {
        app.get(&format!("/api/v1/actions/{}", id(gone)))
            .await
            .problem(404);
    }
}

#[actix_web::test]
async fn invalid_actions_are_refused_naming_the_field() {
    let app = TestApp::with_domains(DOMAINS).await;
    let response = app
        .post_json("/api/v1/actions", &json!({"title": "X", "domain_ids": []}))
        .await;
    assert_eq!(response.invalid_fields(), ["domain_ids"]);
    let response = app
        .post_json(
            "/api/v1/actions",
            &json!({"title": "X", "domain_ids": ["onbekend"]}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["domain_ids"]);
    let response = app
        .post_json(
            "/api/v1/actions",
            &json!({"title": "X", "domain_ids": ["organisatiecultuur"], "risk_ids": [424242]}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["risk_ids"]);
    let response = app
        .post_json(
            "/api/v1/actions",
            &json!({"title": "X", "domain_ids": ["organisatiecultuur"], "statuses": []}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["statuses"]);
    let action = create(
        &app,
        json!({"title": "X", "domain_ids": ["organisatiecultuur"], "external_ref": "A-1"}),
    )
    .await;
    app.post_json(
        "/api/v1/actions",
        &json!({"title": "Y", "domain_ids": ["organisatiecultuur"], "external_ref": "A-1"}),
    )
    .await
    .problem(409);
    let response = app
        .patch(
            &format!("/api/v1/actions/{}", id(&action)),
            &json!({"domain_ids": []}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["domain_ids"]);
    let response = app
        .patch(
            &format!("/api/v1/actions/{}", id(&action)),
            &json!({"updated_at": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(response.invalid_fields(), ["updated_at"]);
}

#[actix_web::test]
async fn the_list_filters_by_domain_year_status_risk_theme_and_searches_in_dutch() {
    let app = TestApp::with_domains(DOMAINS).await;
    let risk = app
        .post_json(
            "/api/v1/risks",
            &json!({"domain_id": "organisatiecultuur", "title": "Hoge werkdruk"}),
        )
        .await
        .ok_json(201);
    let realised = create(&app, json!({"title": "Welzijnsbevraging", "domain_ids": ["organisatiecultuur"], "risk_ids": [risk["id"]], "theme_codes": ["HRM"]})).await;
    let planned = create(&app, json!({"title": "Basisopleiding financiën", "domain_ids": ["organisatiecultuur", "efficient-gebruik-middelen"]})).await;
    let other = create(
        &app,
        json!({"title": "Sleutelbeheer", "domain_ids": ["bescherming-activa"]}),
    )
    .await;
    for (action, status) in [
        (&realised, "realised"),
        (&planned, "planned"),
        (&other, "realised"),
    ] {
        app.put_json(
            &format!("/api/v1/actions/{}/statuses/2022", id(action)),
            &json!({"status": status}),
        )
        .await
        .ok_json(201);
    }

    let page = app
        .get("/api/v1/actions?domain_id=organisatiecultuur&year=2022&status=realised")
        .await
        .ok_json(200);
    assert_eq!(titles(&page), ["Welzijnsbevraging"]);
    let page = app
        .get("/api/v1/actions?domain_id=organisatiecultuur&year=2022&status=planned")
        .await
        .ok_json(200);
    assert_eq!(titles(&page), ["Basisopleiding financiën"]);
    let page = app
        .get("/api/v1/actions?domain_id=efficient-gebruik-middelen")
        .await
        .ok_json(200);
    assert_eq!(titles(&page), ["Basisopleiding financiën"]);
    let page = app
        .get("/api/v1/actions?year=2022&status=realised&sort=title")
        .await
        .ok_json(200);
    assert_eq!(titles(&page), ["Sleutelbeheer", "Welzijnsbevraging"]);
    let page = app
        .get(&format!("/api/v1/actions?risk_id={}", risk["id"]))
        .await
        .ok_json(200);
    assert_eq!(titles(&page), ["Welzijnsbevraging"]);
    let page = app.get("/api/v1/actions?theme=hrm").await.ok_json(200);
    assert_eq!(titles(&page), ["Welzijnsbevraging"]);
    let page = app.get("/api/v1/actions?q=financien").await.ok_json(200);
    assert_eq!(titles(&page), ["Basisopleiding financiën"]);
    let page = app.get("/api/v1/actions?year=2023").await.ok_json(200);
    assert_eq!(page["items"], json!([]));
    app.get("/api/v1/actions?status=realised")
        .await
        .problem(400);
    app.get("/api/v1/actions?top_level=misschien")
        .await
        .problem(400);
}

#[actix_web::test]
async fn paging_with_the_cursor_returns_every_match_exactly_once() {
    let app = TestApp::with_domains(DOMAINS).await;
    let mut expected = Vec::new();
    for n in 0..13 {
        let title = format!("Actie {}", 13 - n);
        let action = create(
            &app,
            json!({"title": title, "domain_ids": ["organisatiecultuur"]}),
        )
        .await;
        app.put_json(
            &format!("/api/v1/actions/{}/statuses/2022", id(&action)),
            &json!({"status": "realised"}),
        )
        .await
        .ok_json(201);
        expected.push(id(&action));
    }
    create(
        &app,
        json!({"title": "Actie elders", "domain_ids": ["bescherming-activa"]}),
    )
    .await;
    for sort in [
        "id",
        "-id",
        "title",
        "-title",
        "updated_at",
        "-updated_at",
        "created_at",
        "-created_at",
    ] {
        let mut seen = Vec::new();
        let mut next = Some(format!(
            "/api/v1/actions?domain_id=organisatiecultuur&year=2022&status=realised&limit=4&sort={sort}"
        ));
        while let Some(path) = next {
            let page = app.get(&path).await.ok_json(200);
            seen.extend(page["items"].as_array().unwrap().iter().map(id));
            next = page["next"].as_str().map(str::to_string);
        }
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(sorted, expected, "sort={sort}");
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/actions?q=actie&limit=5&cursor={c}"),
            None => "/api/v1/actions?q=actie&limit=5".to_string(),
        };
        let page = app.get(&path).await.ok_json(200);
        seen.extend(page["items"].as_array().unwrap().iter().map(id));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(
        seen.len(),
        14,
        "ranked search pages through every match once"
    );
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 14);
}

/// Counts the statements a connection sends.
pub fn counting(conn: &mut diesel::PgConnection) -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let instrumentation = move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { .. } = event {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    };
    conn.set_instrumentation(Box::new(instrumentation) as Box<dyn Instrumentation>);
    count
}

#[actix_web::test]
async fn a_list_page_costs_the_same_statements_for_1_and_for_100_actions() {
    let app = TestApp::with_domains(DOMAINS).await;
    let mut conn = app.db();
    conn.transaction::<_, voortgang::error::ApiError, _>(|conn| {
        for n in 0..120 {
            let action = repo::create(
                conn,
                &voortgang::auth::Principal::system("test"),
                NewAction {
                    external_ref: None,
                    title: format!("Actie {n}"),
                    description: None,
                    domain_ids: vec!["organisatiecultuur".into(), "bescherming-activa".into()],
                    parent_id: None,
                    risk_ids: vec![],
                    theme_codes: vec!["ICT".into(), "DP".into()],
                    department_id: None,
                    plan_ref: None,
                },
            )?;
            for year in [2022, 2023] {
                let input = StatusInput {
                    status: Progress::Realised,
                    progress: None,
                    note: None,
                };
                voortgang::actions::statuses::repo::upsert(
                    conn,
                    &voortgang::auth::Principal::system("test"),
                    action.id,
                    year,
                    &input,
                )?;
            }
        }
        Ok(())
    })
    .unwrap();

    let filter = |limit| ActionFilter {
        domain_id: Some("organisatiecultuur".into()),
        year: Some(2022),
        status: Some(Progress::Realised),
        department_id: None,
        risk_id: None,
        theme: None,
        parent_id: None,
        top_level: false,
        window: Window::new(None, None, None, Some(limit), None).unwrap(),
    };
    let count = counting(&mut conn);
    let (one, _) = repo::list(&mut conn, filter(1)).unwrap();
    let for_one = count.swap(0, Ordering::Relaxed);
    let (hundred, next) = repo::list(&mut conn, filter(100)).unwrap();
    let for_hundred = count.swap(0, Ordering::Relaxed);
    assert_eq!(one.len(), 1);
    assert_eq!(hundred.len(), 100);
    assert!(next.is_some());
    assert_eq!(hundred[99].statuses.len(), 2);
    assert_eq!(hundred[99].theme_codes, ["DP", "ICT"]);
    assert_eq!(
        for_one, for_hundred,
        "statements for a page of 1 and of 100"
    );
    assert_eq!(
        for_hundred, 2,
        "the page with its actions' links, then their statuses"
    );
    let one = repo::find(&mut conn, hundred[99].id).unwrap();
    assert_eq!(count.swap(0, Ordering::Relaxed), 1, "one action");
    assert_eq!(one.statuses.len(), 2);
    assert_eq!(one.theme_codes, ["DP", "ICT"]);
}

#[actix_web::test]
async fn a_page_of_risks_is_two_statements_and_one_risk_is_one() {
    let app = TestApp::with_demo().await;
    let mut conn = app.db();
    let count = counting(&mut conn);
    let risks = voortgang::risks::repo::list(
        &mut conn,
        voortgang::risks::repo::RiskFilter {
            domain_id: None,
            year: None,
            status: None,
            department_id: None,
            theme: None,
            window: Window::new(None, None, None, Some(100), None).unwrap(),
        },
    )
    .unwrap()
    .0;
    assert_eq!(
        count.swap(0, Ordering::Relaxed),
        2,
        "the page with its risks' themes, then their assessments"
    );
    let assessed = risks
        .iter()
        .find(|risk| !risk.assessments.is_empty())
        .expect("the demo assesses risks");
    let risk = voortgang::risks::repo::find(&mut conn, assessed.id).unwrap();
    assert_eq!(count.swap(0, Ordering::Relaxed), 1, "one risk");
    assert_eq!(risk.assessments.len(), assessed.assessments.len());
    assert_eq!(risk.theme_codes, assessed.theme_codes);
}

#[actix_web::test]
async fn a_department_sees_its_actions_and_what_changed_since_a_time() {
    let app = TestApp::with_domains(DOMAINS).await;
    app.post_json(
        "/api/v1/departments",
        &json!({"id": "financien", "name": "Financiën"}),
    )
    .await
    .ok_json(201);
    let own = create(&app, json!({"title": "E-facturatie", "domain_ids": ["bereiken-doelstellingen"], "department_id": "financien"})).await;
    create(
        &app,
        json!({"title": "Nieuw intranet", "domain_ids": ["organisatiecultuur"]}),
    )
    .await;
    for year in [2022, 2023] {
        app.put_json(
            &format!("/api/v1/actions/{}/statuses/{year}", id(&own)),
            &json!({"status": "in_progress"}),
        )
        .await
        .ok_json(201);
    }
    let page = app
        .get("/api/v1/actions?department_id=financien")
        .await
        .ok_json(200);
    assert_eq!(titles(&page), ["E-facturatie"]);
    assert_eq!(page["items"][0]["statuses"].as_array().unwrap().len(), 2);

    let later = app
        .get(&format!("/api/v1/actions/{}", id(&own)))
        .await
        .ok_json(200)["updated_at"]
        .as_str()
        .unwrap()
        .to_string();
    let since = url::form_urlencoded::byte_serialize(later.as_bytes()).collect::<String>();
    let page = app
        .get(&format!("/api/v1/actions?updated_since={since}"))
        .await
        .ok_json(200);
    assert_eq!(
        titles(&page),
        ["E-facturatie"],
        "a status change marks the action as changed"
    );
}

#[actix_web::test]
async fn a_stale_if_match_on_an_action_is_412_and_nothing_changes() {
    let app = TestApp::with_domains(DOMAINS).await;
    let action = create(
        &app,
        json!({"title": "Nieuw intranet", "domain_ids": ["organisatiecultuur"]}),
    )
    .await;
    let path = format!("/api/v1/actions/{}", id(&action));
    let etag = app.get(&path).await.header("etag").unwrap().to_string();
    app.put_json(
        &format!("{path}/statuses/2022"),
        &json!({"status": "planned"}),
    )
    .await
    .ok_json(201);
    let stale_patch = crate::helpers::send(
        app.request(actix_web::http::Method::PATCH, &path)
            .insert_header(("Content-Type", "application/merge-patch+json"))
            .insert_header(("If-Match", etag.as_str())),
        Some(r#"{"title": "Ander intranet"}"#.into()),
    )
    .await;
    stale_patch.problem(412);
    // an invalid change is refused as such, whatever its If-Match
    let invalid_patch = crate::helpers::send(
        app.request(actix_web::http::Method::PATCH, &path)
            .insert_header(("Content-Type", "application/merge-patch+json"))
            .insert_header(("If-Match", etag.as_str())),
        Some(format!(r#"{{"department_id": "{}"}}"#, "0".repeat(65))),
    )
    .await;
    invalid_patch.problem(422);
    assert_eq!(invalid_patch.invalid_fields(), ["department_id"]);
    let stale_delete = crate::helpers::send(
        app.request(actix_web::http::Method::DELETE, &path)
            .insert_header(("If-Match", etag.as_str())),
        None,
    )
    .await;
    stale_delete.problem(412);
    let current = app.get(&path).await;
    assert_eq!(current.ok_json(200)["title"], "Nieuw intranet");
    let fresh = current.header("etag").unwrap().to_string();
    let not_modified = crate::helpers::send(
        app.request(actix_web::http::Method::GET, &path)
            .insert_header(("If-None-Match", fresh.as_str())),
        None,
    )
    .await;
    assert_eq!(not_modified.status, 304);
}

#[actix_web::test]
async fn a_page_query_is_prepared_once_per_connection_whatever_its_values() {
    let app = TestApp::with_demo().await;
    let mut conn = app.db();
    let page = |window: Window| ActionFilter {
        domain_id: Some("organisatiecultuur".into()),
        year: None,
        status: None,
        department_id: None,
        risk_id: None,
        theme: None,
        parent_id: None,
        top_level: false,
        window,
    };
    let first = repo::list(
        &mut conn,
        page(Window::new(None, Some("title"), None, Some(2), None).unwrap()),
    )
    .unwrap();
    let cursor = voortgang::api::Cursor::encode(&first.1.expect("more than two actions"));
    // every kind of window: search, change window, each sort with a cursor to continue after
    let windows = |round: i64| {
        let since = chrono::DateTime::from_timestamp(946_684_800 + round, 0).unwrap();
        vec![
            Window::new(Some(format!("welzijn {round}")), None, None, Some(10), None),
            Window::new(None, None, None, Some(10 + round), Some(since)),
            Window::new(None, Some("title"), Some(&cursor), Some(10), None),
            Window::new(None, Some("-updated_at"), None, Some(10), Some(since)),
        ]
    };
    for window in windows(1) {
        repo::list(&mut conn, page(window.unwrap())).unwrap();
    }
    let after_one_round = prepared_with(&mut conn, "\"actions\".\"title\"");
    for round in 2..5 {
        for window in windows(round) {
            repo::list(&mut conn, page(window.unwrap())).unwrap();
        }
    }
    let after_four_rounds = prepared_with(&mut conn, "\"actions\".\"title\"");
    // one statement per shape of window, kept and reused whatever the values
    let pages: Vec<&String> = after_one_round
        .iter()
        .filter(|s| s.contains("LIMIT"))
        .collect();
    assert!(pages.len() >= 4, "page statements prepared: {pages:#?}");
    assert_eq!(after_one_round, after_four_rounds);
}
