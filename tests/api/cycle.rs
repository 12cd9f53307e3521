//! The yearly cycle over the API with real tokens: a reviewer opens a year, departments answer
//! their worklists, the reviewer returns and approves, the report is adopted with exactly the
//! approved answers; segregation of duties in the API and in the database.

use std::sync::atomic::Ordering;

use actix_web::http::Method;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{send, token, TestApp, TestResponse};

const DOMAIN: &str = "organisatiecultuur";

/// A request with a JSON body as the token `secret`.
async fn call(
    app: &TestApp,
    secret: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> TestResponse {
    let request = app
        .request_as(method, path, Some(secret))
        .insert_header(("Content-Type", "application/json"));
    send(request, body.map(|b| b.to_string())).await
}

async fn get_as(app: &TestApp, secret: &str, path: &str) -> TestResponse {
    call(app, secret, Method::GET, path, None).await
}

async fn put_as(app: &TestApp, secret: &str, path: &str, body: Value) -> TestResponse {
    call(app, secret, Method::PUT, path, Some(body)).await
}

async fn post_as(app: &TestApp, secret: &str, path: &str, body: Option<Value>) -> TestResponse {
    call(app, secret, Method::POST, path, body).await
}

/// What 2022 left to follow up: per department two planned actions and a followed-up risk
/// (`hr`, `financien`), and an action without a department.
pub(crate) struct Year2022 {
    pub hr_actions: [i64; 2],
    pub hr_risk: i64,
    pub fin_action: i64,
    pub fin_risk: i64,
    pub loose_action: i64,
}

pub(crate) async fn year_2022(app: &TestApp) -> Year2022 {
    for (id, name) in [("hr", "Personeel"), ("financien", "Financiën")] {
        app.post_json("/api/v1/departments", &json!({"id": id, "name": name}))
            .await
            .ok_json(201);
    }
    let action = |title: &str, department: Option<&str>| json!({"title": title, "domain_ids": [DOMAIN], "department_id": department});
    let mut ids = Vec::new();
    for (title, department, status) in [
        ("Welzijnsbevraging", Some("hr"), "planned"),
        ("Onthaalbeleid", Some("hr"), "in_progress"),
        ("E-facturatie", Some("financien"), "in_progress"),
        ("Nieuw intranet", None, "planned"),
    ] {
        let id = app
            .post_json("/api/v1/actions", &action(title, department))
            .await
            .ok_json(201)["id"]
            .as_i64()
            .unwrap();
        app.put_json(
            &format!("/api/v1/actions/{id}/statuses/2022"),
            &json!({"status": status, "progress": 20}),
        )
        .await
        .ok_json(201);
        ids.push(id);
    }
    let mut risks = Vec::new();
    for (title, department) in [("Hoge werkdruk", "hr"), ("Fraude", "financien")] {
        let id = app
            .created_id(
                "/api/v1/risks",
                &json!({"title": title, "domain_id": DOMAIN, "department_id": department}),
            )
            .await;
        app.put_json(
            &format!("/api/v1/risks/{id}/assessments/2022"),
            &json!({"status": "open", "likelihood": 4, "impact": 4}),
        )
        .await
        .ok_json(201);
        risks.push(id);
    }
    Year2022 {
        hr_actions: [ids[0], ids[1]],
        fin_action: ids[2],
        loose_action: ids[3],
        hr_risk: risks[0],
        fin_risk: risks[1],
    }
}

fn ids_of(page: &Value) -> Vec<(String, i64)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["id"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn line<'a>(progress: &'a Value, department: &str) -> &'a Value {
    progress["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department_id"] == department)
        .unwrap_or_else(|| panic!("{department} is in the overview"))
}

#[actix_web::test]
async fn a_year_runs_from_opening_to_adoption_with_exactly_the_approved_answers() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    let y = year_2022(&app).await;
    let hr = token(
        &app,
        json!({"name": "hr-editor", "role": "editor", "department_ids": ["hr"]}),
    )
    .await;
    let fin = token(
        &app,
        json!({"name": "fin-editor", "role": "editor", "department_ids": ["financien"]}),
    )
    .await;
    let coordinator = token(&app, json!({"name": "coordinator", "role": "reviewer"})).await;

    // an editor may not open a year; the reviewer opens it, and again changes nothing
    let open = json!({"collect_until": "2099-03-31"});
    post_as(&app, &hr, "/api/v1/reports/2023/open", Some(open.clone()))
        .await
        .problem(403);
    let opened = post_as(
        &app,
        &coordinator,
        "/api/v1/reports/2023/open",
        Some(open.clone()),
    )
    .await
    .ok_json(201);
    assert_eq!(opened["status"], "collecting");
    assert_eq!(opened["collect_until"], "2099-03-31");
    assert_eq!(opened["review_required"], true);
    let again = post_as(&app, &coordinator, "/api/v1/reports/2023/open", Some(open))
        .await
        .ok_json(200);
    assert_eq!(again, opened);

    // the hr editor sees its own worklist: two actions and a risk, with last year's values
    let list = get_as(&app, &hr, "/api/v1/reports/2023/worklist")
        .await
        .ok_json(200);
    assert_eq!(
        ids_of(&list),
        vec![
            ("action_status".to_string(), y.hr_actions[0]),
            ("action_status".to_string(), y.hr_actions[1]),
            ("risk_assessment".to_string(), y.hr_risk),
        ]
    );
    let first = &list["items"][0];
    assert_eq!(first["state"], "owed");
    assert_eq!(first["missing"], "no_status");
    assert_eq!(first["previous"]["status"], "planned");
    assert_eq!(first["current"], Value::Null);
    assert_eq!(
        first["answer"],
        format!("/api/v1/actions/{}/statuses/2023", y.hr_actions[0])
    );
    assert_eq!(list["items"][2]["previous"]["likelihood"], 4);

    app.get("/api/v1/reports/1999/progress").await.problem(400);
    app.get("/api/v1/reports/2101/worklist").await.problem(400);
    let progress = app.get("/api/v1/reports/2023/progress").await.ok_json(200);
    assert_eq!(line(&progress, "hr")["owed"], 3);
    assert_eq!(line(&progress, "hr")["open"], 3);
    assert_eq!(line(&progress, "financien")["owed"], 2);
    assert_eq!(
        progress["totals"]["owed"], 6,
        "with the action without department"
    );
    assert_eq!(progress["totals"]["percent_answered"], 0);

    // hr answers: every answer is submitted by the editor
    let realised = put_as(
        &app,
        &hr,
        &format!("/api/v1/actions/{}/statuses/2023", y.hr_actions[0]),
        json!({"status": "realised", "progress": 100}),
    )
    .await
    .ok_json(201);
    assert_eq!(realised["review"]["state"], "submitted");
    assert_eq!(realised["review"]["submitted_by"], "hr-editor");
    put_as(
        &app,
        &hr,
        &format!("/api/v1/actions/{}/statuses/2023", y.hr_actions[1]),
        json!({"status": "in_progress"}),
    )
    .await
    .ok_json(201);
    put_as(
        &app,
        &hr,
        &format!("/api/v1/risks/{}/assessments/2023", y.hr_risk),
        json!({"status": "monitoring", "likelihood": 3, "impact": 4}),
    )
    .await
    .ok_json(201);
    let owed = get_as(&app, &hr, "/api/v1/reports/2023/worklist")
        .await
        .ok_json(200);
    assert_eq!(
        ids_of(&owed),
        vec![],
        "nothing owed while waiting for review"
    );
    let waiting = get_as(&app, &hr, "/api/v1/reports/2023/worklist?state=submitted")
        .await
        .ok_json(200);
    assert_eq!(waiting["items"].as_array().unwrap().len(), 3);

    // the editor may not review; the reviewer returns one row with a note
    let status_of = |action: i64| format!("/api/v1/actions/{action}/statuses/2023/review");
    post_as(
        &app,
        &hr,
        &status_of(y.hr_actions[1]),
        Some(json!({"decision": "approve"})),
    )
    .await
    .problem(403);
    let problem = post_as(
        &app,
        &coordinator,
        &status_of(y.hr_actions[1]),
        Some(json!({"decision": "return"})),
    )
    .await
    .problem(422);
    assert_eq!(problem["errors"][0]["field"], "note");
    let returned = post_as(
        &app,
        &coordinator,
        &status_of(y.hr_actions[1]),
        Some(json!({"decision": "return", "note": "Graag de voortgang in procent."})),
    )
    .await
    .ok_json(200);
    assert_eq!(returned["review"]["state"], "returned");
    assert_eq!(returned["review"]["reviewed_by"], "coordinator");
    // the review is in the audit trail, with the row before and after
    let events = app
        .get(&format!(
            "/api/v1/audit-events?entity_type=action_status&entity_id={}/2023",
            y.hr_actions[1]
        ))
        .await
        .ok_json(200);
    let review = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["actor"] == "coordinator")
        .unwrap_or_else(|| panic!("the review is recorded: {events}"));
    assert_eq!(review["before"]["review"]["state"], "submitted");
    assert_eq!(review["after"]["review"]["state"], "returned");
    assert_eq!(
        review["after"]["review"]["note"],
        "Graag de voortgang in procent."
    );
    post_as(
        &app,
        &coordinator,
        &status_of(y.hr_actions[1]),
        Some(json!({"decision": "approve"})),
    )
    .await
    .problem(409);

    // it is back on the worklist with the note; the editor fixes it, which submits it again
    let back = get_as(&app, &hr, "/api/v1/reports/2023/worklist")
        .await
        .ok_json(200);
    assert_eq!(
        ids_of(&back),
        vec![("action_status".to_string(), y.hr_actions[1])]
    );
    assert_eq!(back["items"][0]["state"], "returned");
    assert_eq!(
        back["items"][0]["review_note"],
        "Graag de voortgang in procent."
    );
    let fixed = put_as(
        &app,
        &hr,
        &format!("/api/v1/actions/{}/statuses/2023", y.hr_actions[1]),
        json!({"status": "in_progress", "progress": 60}),
    )
    .await
    .ok_json(200);
    assert_eq!(fixed["review"]["state"], "submitted");
    assert_eq!(fixed["review"]["note"], Value::Null);

    // financien answers its items, the coordinator answers the action without department
    put_as(
        &app,
        &fin,
        &format!("/api/v1/actions/{}/statuses/2023", y.fin_action),
        json!({"status": "postponed", "note": "Volgend jaar."}),
    )
    .await
    .ok_json(201);
    put_as(
        &app,
        &fin,
        &format!("/api/v1/risks/{}/assessments/2023", y.fin_risk),
        json!({"status": "closed"}),
    )
    .await
    .ok_json(201);
    put_as(
        &app,
        &coordinator,
        &format!("/api/v1/actions/{}/statuses/2023", y.loose_action),
        json!({"status": "cancelled"}),
    )
    .await
    .ok_json(201);

    // the coordinator approves everything at once, but not the row it wrote itself
    let everything = json!({"items": [
        {"kind": "action_status", "id": y.hr_actions[0], "decision": "approve"},
        {"kind": "action_status", "id": y.hr_actions[1], "decision": "approve"},
        {"kind": "risk_assessment", "id": y.hr_risk, "decision": "approve"},
        {"kind": "action_status", "id": y.fin_action, "decision": "approve"},
        {"kind": "risk_assessment", "id": y.fin_risk, "decision": "approve", "note": "In orde."},
        {"kind": "action_status", "id": y.loose_action, "decision": "approve"}
    ]});
    let refused = post_as(
        &app,
        &coordinator,
        "/api/v1/reports/2023/review",
        Some(everything.clone()),
    )
    .await
    .problem(403);
    assert!(
        refused["detail"].as_str().unwrap().starts_with("items[5]"),
        "{refused}"
    );
    let still = app.get("/api/v1/reports/2023/progress").await.ok_json(200);
    assert_eq!(still["totals"]["answered"], 0, "all or nothing");
    assert_eq!(still["totals"]["waiting"], 6);
    let mut five = everything.clone();
    five["items"].as_array_mut().unwrap().pop();
    let reviewed = post_as(
        &app,
        &coordinator,
        "/api/v1/reports/2023/review",
        Some(five),
    )
    .await
    .ok_json(200);
    assert_eq!(reviewed, json!({"approved": 5, "returned": 0}));
    let by_admin = app
        .post_json(
            &format!("/api/v1/actions/{}/statuses/2023/review", y.loose_action),
            &json!({"decision": "approve"}),
        )
        .await
        .ok_json(200);
    assert_eq!(by_admin["review"]["reviewed_by"], "test-admin");

    let done = app.get("/api/v1/reports/2023/progress").await.ok_json(200);
    assert_eq!(done["totals"]["percent_answered"], 100, "{done}");
    assert_eq!(done["totals"]["answered"], 6);
    assert_eq!(line(&done, "hr")["answered"], 3);

    // adoption waits for the collection to close; after it, editors no longer write
    app.post_json("/api/v1/reports/2023/adopt", &json!({}))
        .await
        .problem(409);
    post_as(&app, &hr, "/api/v1/reports/2023/close", None)
        .await
        .problem(403);
    let closed = post_as(&app, &coordinator, "/api/v1/reports/2023/close", None)
        .await
        .ok_json(200);
    assert_eq!(closed["status"], "draft");
    put_as(
        &app,
        &hr,
        &format!("/api/v1/actions/{}/statuses/2023", y.hr_actions[0]),
        json!({"status": "realised", "progress": 90}),
    )
    .await
    .problem(409);
    app.post_json("/api/v1/reports/2023/adopt", &json!({}))
        .await
        .ok_json(200);

    // the report shows exactly the approved answers
    let report = app.get("/api/v1/reports/2023").await.ok_json(200);
    let domain = &report["domains"][0];
    let titles = |part: &str| -> Vec<(String, Value)> {
        domain[part]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["title"].as_str().unwrap().to_string(),
                    a["progress"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(
        titles("realisations"),
        vec![("Welzijnsbevraging".into(), json!(100))]
    );
    assert_eq!(
        titles("planning"),
        vec![("Onthaalbeleid".into(), json!(60))]
    );
    let risks: Vec<&str> = domain["risks"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(risks, vec!["Hoge werkdruk"]);
    assert_eq!(domain["waiting"], 0);
    assert_eq!(report["incomplete"], Value::Null);
}

#[actix_web::test]
async fn only_approved_answers_count_and_adoption_waits_unless_incompleteness_is_accepted() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    let y = year_2022(&app).await;
    let hr = token(
        &app,
        json!({"name": "hr-editor", "role": "editor", "department_ids": ["hr"]}),
    )
    .await;
    app.post_json(
        "/api/v1/reports/2023/open",
        &json!({"collect_until": "2020-01-31"}),
    )
    .await
    .ok_json(201);
    put_as(
        &app,
        &hr,
        &format!("/api/v1/actions/{}/statuses/2023", y.hr_actions[0]),
        json!({"status": "realised"}),
    )
    .await
    .ok_json(201);

    // submitted, not approved: not in the report, counted as waiting in its domain
    let report = app.get("/api/v1/reports/2023").await.ok_json(200);
    assert_eq!(report["domains"][0]["realisations"]["count"], 0);
    assert_eq!(report["domains"][0]["waiting"], 1);
    let document = app.get("/api/v1/reports/2023/document").await;
    assert_eq!(document.status, 200);
    let html = String::from_utf8(document.body).unwrap();
    assert!(
        html.contains("Nog te beoordelen: 1 (niet in dit rapport"),
        "{html}"
    );
    let progress = app.get("/api/v1/reports/2023/progress").await.ok_json(200);
    assert_eq!(line(&progress, "hr")["waiting"], 1);
    assert_eq!(
        line(&progress, "hr")["overdue"],
        2,
        "the deadline has passed"
    );
    assert_eq!(line(&progress, "financien")["overdue"], 2);
    // the same counts in the PowerBI export, for every opened year
    let export = app
        .get("/api/v1/exports/worklist_progress")
        .await
        .ok_json(200);
    let row = |department: &str| {
        export["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["year"] == 2023 && r["department_id"] == department)
            .unwrap_or_else(|| panic!("{department} in {export}"))
            .clone()
    };
    assert_eq!(
        row("hr"),
        json!({"year": 2023, "department_id": "hr", "owed": 3, "answered": 0, "waiting": 1,
               "returned": 0, "open": 2, "overdue": 2})
    );
    assert_eq!(row("")["open"], 1, "the action without department");

    app.post_json("/api/v1/reports/2023/close", &json!(null))
        .await
        .ok_json(200);
    let refused = app
        .post_json("/api/v1/reports/2023/adopt", &json!({}))
        .await
        .problem(409);
    let detail = refused["detail"].as_str().unwrap();
    assert!(
        detail.contains("financien: 2 open, 0 waiting for review, 0 returned"),
        "{detail}"
    );
    assert!(
        detail.contains("hr: 2 open, 1 waiting for review"),
        "{detail}"
    );

    let adopted = app
        .post_json(
            "/api/v1/reports/2023/adopt",
            &json!({"accept_incomplete": true}),
        )
        .await
        .ok_json(200);
    assert_eq!(adopted["status"], "adopted");
    let snapshot = app.get("/api/v1/reports/2023").await.ok_json(200);
    let document = app
        .get("/api/v1/reports/2023/document?format=markdown")
        .await;
    let markdown = String::from_utf8(document.body).unwrap();
    assert!(
        markdown.contains("5 open, 1 te beoordelen, 0 teruggestuurd (aanvaard door test-admin)"),
        "{markdown}"
    );
    assert_eq!(
        snapshot["incomplete"],
        json!({"open": 5, "waiting": 1, "returned": 0, "accepted_by": "test-admin"})
    );
}

#[actix_web::test]
async fn nobody_reviews_their_own_answer_whatever_their_role_and_the_database_refuses_it_too() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    let y = year_2022(&app).await;
    let coordinator = token(&app, json!({"name": "coordinator", "role": "reviewer"})).await;
    app.post_json(
        "/api/v1/reports/2023/open",
        &json!({"collect_until": "2099-03-31"}),
    )
    .await
    .ok_json(201);
    // the admin and the reviewer each answer one row and may not review it
    app.put_json(
        &format!("/api/v1/actions/{}/statuses/2023", y.hr_actions[0]),
        &json!({"status": "realised"}),
    )
    .await
    .ok_json(201);
    let own = app
        .post_json(
            &format!("/api/v1/actions/{}/statuses/2023/review", y.hr_actions[0]),
            &json!({"decision": "approve"}),
        )
        .await
        .problem(403);
    assert!(
        own["detail"].as_str().unwrap().contains("test-admin"),
        "{own}"
    );
    put_as(
        &app,
        &coordinator,
        &format!("/api/v1/risks/{}/assessments/2023", y.hr_risk),
        json!({"status": "open"}),
    )
    .await
    .ok_json(201);
    post_as(
        &app,
        &coordinator,
        &format!("/api/v1/risks/{}/assessments/2023/review", y.hr_risk),
        Some(json!({"decision": "return", "note": "Zelf?"})),
    )
    .await
    .problem(403);
    post_as(
        &app,
        &coordinator,
        "/api/v1/reports/2023/review",
        Some(
            json!({"items": [{"kind": "risk_assessment", "id": y.hr_risk, "decision": "approve"}]}),
        ),
    )
    .await
    .problem(403);

    // SQL that goes around the service is refused by the database
    let mut conn = app.db();
    for table in ["action_statuses", "risk_assessments"] {
        let result = diesel::sql_query(format!(
            "UPDATE {table} SET review = 'approved', reviewed_by = submitted_by, \
             reviewed_at = now() WHERE year = 2023"
        ))
        .execute(&mut conn);
        let message = result.expect_err("self-review is refused").to_string();
        assert!(message.contains("review_by_another"), "{table}: {message}");
    }
    let result = diesel::sql_query(
        "UPDATE action_statuses SET review = 'returned', reviewed_by = 'iemand-anders' \
         WHERE year = 2023",
    )
    .execute(&mut conn);
    assert!(result.is_err(), "a return needs a note");
    // a reviewed row written again is submitted again, whoever writes the SQL
    diesel::sql_query(
        "UPDATE action_statuses SET review = 'approved', reviewed_by = 'iemand-anders' \
         WHERE year = 2023",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query("UPDATE action_statuses SET progress = 100 WHERE year = 2023")
        .execute(&mut conn)
        .unwrap();
    let status = app
        .get(&format!(
            "/api/v1/actions/{}/statuses/2023",
            y.hr_actions[0]
        ))
        .await
        .ok_json(200);
    assert_eq!(status["review"]["state"], "submitted");
    assert_eq!(status["review"]["reviewed_by"], Value::Null);
    // and a year's state moves only forward through its collection
    let result = diesel::sql_query("UPDATE report_years SET status = 'adopted' WHERE year = 2023")
        .execute(&mut conn);
    let message = result
        .expect_err("collecting -> adopted is refused")
        .to_string();
    assert!(
        message.contains("cannot go from collecting to adopted"),
        "{message}"
    );
}

#[actix_web::test]
async fn a_worklist_page_and_the_progress_cost_the_same_statements_for_few_and_many() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    year_2022(&app).await;
    let statements = |conn: &mut diesel::PgConnection| {
        let count = crate::actions::counting(conn);
        let principal = voortgang::auth::Principal::system("test");
        let departments = voortgang::reports::cycle::worklist::departments(&principal, None);
        let states = vec![voortgang::reports::cycle::worklist::ItemState::Owed];
        let page =
            voortgang::reports::cycle::worklist::page(conn, 2023, departments, states, None, 101)
                .unwrap();
        let worklist = count.swap(0, Ordering::Relaxed);
        let progress = voortgang::reports::cycle::worklist::progress(conn, 2023).unwrap();
        (
            page.len(),
            worklist,
            progress.departments.len(),
            count.swap(0, Ordering::Relaxed),
        )
    };
    let mut conn = app.db();
    let (items, worklist, lines, progress) = statements(&mut conn);
    assert_eq!((items, worklist, progress), (6, 1, 2));
    assert_eq!(lines, 3, "hr, financien and the line without department");

    // ten more departments with eight more actions each
    for n in 0..10 {
        let department = format!("dienst-{n}");
        app.post_json(
            "/api/v1/departments",
            &json!({"id": department, "name": department}),
        )
        .await
        .ok_json(201);
        for m in 0..8 {
            let id = app.created_id("/api/v1/actions", &json!({"title": format!("Actie {n}.{m}"), "domain_ids": [DOMAIN], "department_id": department})).await;
            app.put_json(
                &format!("/api/v1/actions/{id}/statuses/2022"),
                &json!({"status": "planned"}),
            )
            .await
            .ok_json(201);
        }
    }
    let (items, worklist, lines, progress) = statements(&mut conn);
    assert_eq!((items, worklist, progress), (86, 1, 2));
    assert_eq!(lines, 13);
}
