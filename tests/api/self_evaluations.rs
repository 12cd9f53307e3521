//! Self-evaluations against the Leidraad: maturity scores per theme on Audit Vlaanderen's
//! scale, their trend over the years, the report's section with its radar chart, and the
//! adoption lock.

use std::sync::atomic::Ordering;

use actix_web::http::Method;
use diesel::RunQueryDsl;
use serde_json::{json, Value};

use crate::helpers::{send, token, TestApp};

const DOMAIN: &str = "monitoring";

async fn action(app: &TestApp, title: &str) -> i64 {
    app.created_id(
        "/api/v1/actions",
        &json!({"title": title, "domain_ids": [DOMAIN], "theme_codes": ["MON"]}),
    )
    .await
}

async fn financien(app: &TestApp) {
    app.post_json(
        "/api/v1/departments",
        &json!({"id": "financien", "name": "Financiën"}),
    )
    .await
    .ok_json(201);
}

async fn evaluate(app: &TestApp, body: Value) -> Value {
    app.post_json("/api/v1/self-evaluations", &body)
        .await
        .ok_json(201)
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

#[actix_web::test]
async fn the_scale_is_audit_vlaanderens_and_read_only() {
    let app = TestApp::spawn().await;
    let page = app.get("/api/v1/maturity-levels").await.ok_json(200);
    let levels: Vec<(i64, &str, Value)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["level"].as_i64().unwrap(),
                l["name"].as_str().unwrap(),
                l["cycle_phase"].clone(),
            )
        })
        .collect();
    assert_eq!(
        levels,
        [
            (0, "Onbestaand", Value::Null),
            (1, "Ad-hocbasis", Value::Null),
            (2, "Gestructureerde aanzet", json!("Plan")),
            (3, "Gedefinieerd", json!("Do")),
        ]
    );
    assert!(page["items"][3]["internal_control"]
        .as_str()
        .unwrap()
        .contains("adequaat kader"));
    let refused = app
        .post_json("/api/v1/maturity-levels", &json!({"level": 4, "name": "x"}))
        .await;
    assert_eq!(refused.status, 405);
}

#[actix_web::test]
async fn a_reviewer_records_a_self_evaluation_with_a_score_per_theme() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    financien(&app).await;
    let improvement = action(&app, "Kader voor monitoring").await;
    let coordinator = token(&app, json!({"name": "coordinator", "role": "reviewer"})).await;
    let body = json!({
        "external_ref": "ZE-2022", "year": 2022, "title": "Zelfevaluatie organisatiebeheersing 2022",
        "evaluated_on": "2022-10-20", "method": "Workshop per thema",
        "participants": "Managementteam",
        "scores": [
            {"theme_code": "mon", "score": 1, "target": 2,
             "reasoning": "Monitoring per dienst, zonder gedeeld kader.",
             "evidence": "Verslagen van het managementteam",
             "evidence_urls": ["https://intranet.mechelen.be/ob/monitoring.pdf"],
             "action_ids": [improvement]},
            {"theme_code": "AOB", "score": 2}
        ]
    });
    let request = app
        .request_as(Method::POST, "/api/v1/self-evaluations", Some(&coordinator))
        .insert_header(("Content-Type", "application/json"));
    let created = send(request, Some(body.to_string())).await;
    assert_eq!(created.status, 201);
    let location = created.header("location").unwrap().to_string();
    let evaluation = created.json();
    assert_eq!(
        location,
        format!("/api/v1/self-evaluations/{}", evaluation["id"])
    );
    assert_eq!(evaluation["scope"], "organisation");
    assert_eq!(evaluation["department_id"], Value::Null);
    // by theme number: AOB is theme 0, MON theme 3
    let scores = evaluation["scores"].as_array().unwrap();
    assert_eq!(scores[0]["theme_code"], "AOB");
    assert_eq!(scores[0]["gap"], Value::Null, "no target, no gap");
    assert_eq!(scores[1]["theme_code"], "MON");
    assert_eq!(scores[1]["gap"], 1);
    assert_eq!(scores[1]["action_ids"], json!([improvement]));
    assert_eq!(
        scores[1]["evidence_urls"],
        json!(["https://intranet.mechelen.be/ob/monitoring.pdf"])
    );
    let read = app.get(&location).await;
    assert_eq!(read.json(), evaluation);
    let etag = read.header("etag").unwrap().to_string();

    // a department's own, and a partial one; lists filter by year, scope, department, theme
    // and search
    let department = evaluate(
        &app,
        json!({"year": 2023, "title": "Zelfevaluatie financiën", "scope": "department",
               "department_id": "financien",
               "scores": [{"theme_code": "FIM", "score": 3}]}),
    )
    .await;
    let (first, second) = (
        evaluation["id"].as_i64().unwrap(),
        department["id"].as_i64().unwrap(),
    );
    for (query, expected) in [
        ("", vec![first, second]),
        ("?year=2023", vec![second]),
        ("?scope=department", vec![second]),
        ("?department_id=financien", vec![second]),
        ("?theme=mon", vec![first]),
        ("?q=workshop", vec![first]),
        ("?sort=-id&limit=1", vec![second]),
    ] {
        let page = app
            .get(&format!("/api/v1/self-evaluations{query}"))
            .await
            .ok_json(200);
        assert_eq!(ids(&page), expected, "{query}");
    }
    app.get("/api/v1/self-evaluations?year=1999")
        .await
        .problem(400);

    // a merge patch: `scores` replaces them all; a stale If-Match changes nothing
    let patch = |body: Value, if_match: Option<&str>| {
        let mut request = app
            .request(Method::PATCH, &location)
            .insert_header(("Content-Type", "application/merge-patch+json"));
        if let Some(tag) = if_match {
            request = request.insert_header(("If-Match", tag.to_string()));
        }
        send(request, Some(body.to_string()))
    };
    let changed = patch(
        json!({"participants": null, "scores": [{"theme_code": "MON", "score": 2, "target": 2}]}),
        Some(&etag),
    )
    .await
    .ok_json(200);
    assert_eq!(changed["participants"], Value::Null);
    assert_eq!(
        changed["scores"],
        json!([{"theme_code": "MON", "score": 2, "target": 2, "gap": 0, "reasoning": null,
                "evidence": null, "evidence_urls": [], "action_ids": []}])
    );
    patch(json!({"title": "Te laat"}), Some(&etag))
        .await
        .problem(412);

    // the history has each write by whom; a delete leaves the actions
    let history = app.get(&format!("{location}/history")).await.ok_json(200);
    let operations: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations, ["update", "create"]);
    assert_eq!(history["items"][1]["actor"], "coordinator");
    assert_eq!(app.delete(&location).await.status, 204);
    app.get(&location).await.problem(404);
    app.get(&format!("/api/v1/actions/{improvement}"))
        .await
        .ok_json(200);
}

#[actix_web::test]
async fn scores_stay_on_the_scale_and_each_theme_is_scored_once() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    financien(&app).await;
    let invalid = |body: Value| {
        let app = &app;
        async move {
            app.post_json("/api/v1/self-evaluations", &body)
                .await
                .invalid_fields()
        }
    };
    let base = |scores: Value| json!({"year": 2022, "title": "Zelfevaluatie", "scores": scores});
    // level 4 is not on the scale as recorded
    assert_eq!(
        invalid(base(json!([{"theme_code": "MON", "score": 4}]))).await,
        ["scores[0].score"]
    );
    assert_eq!(
        invalid(base(json!([{"theme_code": "AOB", "score": 1},
                             {"theme_code": "MON", "score": 1, "target": 12}])))
        .await,
        ["scores[1].target"]
    );
    assert_eq!(
        invalid(base(json!([{"theme_code": "MON", "score": 1},
                             {"theme_code": "mon", "score": 2}])))
        .await,
        ["scores"]
    );
    assert_eq!(
        invalid(base(json!([{"theme_code": "XYZ", "score": 1}]))).await,
        ["scores[0].theme_code"]
    );
    assert_eq!(
        invalid(base(
            json!([{"theme_code": "MON", "score": 1, "action_ids": [999999]}])
        ))
        .await,
        ["scores[0].action_ids"]
    );
    assert_eq!(
        invalid(base(json!([{"theme_code": "MON", "score": 1,
                             "evidence_urls": ["javascript:alert(1)"]}])))
        .await,
        ["scores[0].evidence_urls"]
    );
    // a department's self-evaluation names it, the others do not
    assert_eq!(
        invalid(json!({"year": 2022, "title": "Dienst", "scope": "department"})).await,
        ["department_id"]
    );
    assert_eq!(
        invalid(json!({"year": 2022, "title": "Stad", "department_id": "financien"})).await,
        ["department_id"]
    );
    assert_eq!(
        invalid(
            json!({"year": 2022, "title": "Dienst", "scope": "department",
                       "department_id": "bestaat-niet"})
        )
        .await,
        ["department_id"]
    );
    // an editor reads them but does not write them
    let editor = token(
        &app,
        json!({"name": "financien-script", "role": "editor", "department_ids": ["financien"]}),
    )
    .await;
    let request = app
        .request_as(Method::POST, "/api/v1/self-evaluations", Some(&editor))
        .insert_header(("Content-Type", "application/json"));
    let refused = send(
        request,
        Some(base(json!([{"theme_code": "FIM", "score": 1}])).to_string()),
    )
    .await;
    assert_eq!(refused.status, 403);
    let listed = send(
        app.request_as(Method::GET, "/api/v1/self-evaluations", Some(&editor)),
        None,
    )
    .await;
    assert_eq!(listed.status, 200);
    // nothing of the refused writes was kept
    let page = app.get("/api/v1/self-evaluations").await.ok_json(200);
    assert_eq!(ids(&page), Vec::<i64>::new());
}

#[actix_web::test]
async fn the_trend_follows_each_theme_over_the_years_with_its_gap() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    financien(&app).await;
    let improvement = action(&app, "Kader voor organisatiebeheersing").await;
    evaluate(
        &app,
        json!({"year": 2021, "title": "Zelfevaluatie 2021", "evaluated_on": "2021-11-05",
               "scores": [{"theme_code": "MON", "score": 0, "target": 2},
                          {"theme_code": "ORG", "score": 1, "target": 1}]}),
    )
    .await;
    // 2022: a partial one scores MON; the organisation-wide one later that year scores ORG
    evaluate(
        &app,
        json!({"year": 2022, "title": "Deelevaluatie monitoring", "scope": "partial",
               "evaluated_on": "2022-03-01",
               "scores": [{"theme_code": "MON", "score": 1, "target": 2}]}),
    )
    .await;
    let latest = evaluate(
        &app,
        json!({"year": 2022, "title": "Zelfevaluatie 2022", "evaluated_on": "2022-10-20",
               "scores": [{"theme_code": "ORG", "score": 2, "target": 3,
                           "action_ids": [improvement]},
                          {"theme_code": "AOB", "score": 3, "target": 3}]}),
    )
    .await;
    // a department's own does not count for the organisation
    evaluate(
        &app,
        json!({"year": 2022, "title": "Financiën", "scope": "department",
               "department_id": "financien",
               "scores": [{"theme_code": "MON", "score": 3}]}),
    )
    .await;

    let trend = app.get("/api/v1/self-evaluations/trend").await.ok_json(200);
    assert_eq!(trend["top_level"], 3);
    let themes = trend["themes"].as_array().unwrap();
    assert_eq!(themes.len(), 11);
    let theme = |code: &str| themes.iter().find(|t| t["theme_code"] == code).unwrap();
    let mon = theme("MON");
    let years: Vec<(i64, i64)> = mon["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["year"].as_i64().unwrap(), p["score"].as_i64().unwrap()))
        .collect();
    assert_eq!(years, [(2021, 0), (2022, 1)]);
    assert_eq!(
        (
            &mon["score"],
            &mon["level"],
            &mon["previous"],
            &mon["change"]
        ),
        (&json!(1), &json!("Ad-hocbasis"), &json!(0), &json!(1))
    );
    assert_eq!((&mon["target"], &mon["gap"]), (&json!(2), &json!(1)));
    assert_eq!(
        mon["needs_action"], true,
        "below target, no improvement action"
    );
    let org = theme("ORG");
    assert_eq!(
        (&org["score"], &org["change"], &org["gap"]),
        (&json!(2), &json!(1), &json!(1))
    );
    assert_eq!(org["action_ids"], json!([improvement]));
    assert_eq!(org["needs_action"], false);
    let aob = theme("AOB");
    assert_eq!(
        (&aob["gap"], &aob["previous"], &aob["change"]),
        (&json!(0), &Value::Null, &Value::Null)
    );
    let cul = theme("CUL");
    assert_eq!((&cul["score"], &cul["series"]), (&Value::Null, &json!([])));
    assert_eq!(cul["needs_action"], false);

    // up to a year, and a department's own
    let until = app
        .get("/api/v1/self-evaluations/trend?until=2021")
        .await
        .ok_json(200);
    let mon = until["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["theme_code"] == "MON")
        .unwrap();
    assert_eq!((&mon["score"], &mon["previous"]), (&json!(0), &Value::Null));
    let own = app
        .get("/api/v1/self-evaluations/trend?department_id=financien")
        .await
        .ok_json(200);
    assert_eq!(own["department_id"], "financien");
    let mon = own["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["theme_code"] == "MON")
        .unwrap();
    assert_eq!(mon["score"], 3);
    app.get("/api/v1/self-evaluations/trend?until=1999")
        .await
        .problem(400);
    // the department is echoed, so it must be a department id
    app.get("/api/v1/self-evaluations/trend?department_id=Fin%C3%A4nc%20i%C3%ABn")
        .await
        .problem(400);

    // the report of 2022 shows the same, from the latest self-evaluation
    for year in [2020, 2021, 2022] {
        app.put_json(
            &format!("/api/v1/reports/{year}"),
            &json!({"title": format!("Voortgangsrapport {year}")}),
        )
        .await
        .ok_json(201);
    }
    let report = app.get("/api/v1/reports/2022").await.ok_json(200);
    let section = &report["self_evaluation"];
    assert_eq!(section["label"], "Zelfevaluatie organisatiebeheersing");
    assert_eq!(section["self_evaluation_id"], latest["id"]);
    assert_eq!(section["title"], "Zelfevaluatie 2022");
    assert_eq!(section["trend"], trend);
    let earlier = app.get("/api/v1/reports/2021").await.ok_json(200);
    assert_eq!(earlier["self_evaluation"]["title"], "Zelfevaluatie 2021");
    let none = app.get("/api/v1/reports/2020").await.ok_json(200);
    assert_eq!(none["self_evaluation"], Value::Null);
}

#[actix_web::test]
async fn the_report_document_draws_the_scores_as_a_radar_chart() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    let themes = ["AOB", "DP", "MON", "FIM", "ORG"];
    evaluate(
        &app,
        json!({"year": 2021, "title": "Zelfevaluatie 2021",
               "scores": themes.iter().map(|t| json!({"theme_code": t, "score": 1, "target": 2})).collect::<Vec<_>>()}),
    )
    .await;
    evaluate(
        &app,
        json!({"year": 2022, "title": "Zelfevaluatie 2022 <stad>", "evaluated_on": "2022-10-20",
               "scores": themes.iter().enumerate().map(|(i, t)| json!({"theme_code": t, "score": i % 4, "target": 3})).collect::<Vec<_>>()}),
    )
    .await;
    app.put_json(
        "/api/v1/reports/2022",
        &json!({"title": "Voortgangsrapport 2022"}),
    )
    .await
    .ok_json(201);
    let response = app.get("/api/v1/reports/2022/document").await;
    assert_eq!(response.status, 200);
    let text = String::from_utf8(response.body.clone()).unwrap();
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let document = roxmltree::Document::parse_with_options(&text, options)
        .unwrap_or_else(|e| panic!("not well-formed: {e}"));
    let section = document
        .descendants()
        .find(|n| n.attribute("id") == Some("zelfevaluatie"))
        .expect("the self-evaluation section");
    let heading = section
        .descendants()
        .find(|n| n.has_tag_name("h2"))
        .and_then(|n| n.text());
    assert_eq!(heading, Some("Zelfevaluatie organisatiebeheersing"));
    // the title is text, escaped, never markup
    let held = section
        .descendants()
        .find(|n| n.has_tag_name("p"))
        .and_then(|n| n.text());
    assert_eq!(
        held,
        Some("Zelfevaluatie 2022 <stad>: 20-10-2022 (rapportjaar 2022)")
    );
    let svg = section
        .descendants()
        .find(|n| n.attribute("id") == Some("radar"))
        .expect("the radar chart");
    assert_eq!(
        svg.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let size: f64 = svg.attribute("width").unwrap().parse().unwrap();
    let of_class = |class: &str| -> Vec<roxmltree::Node> {
        svg.descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .collect()
    };
    // an axis per scored theme, labelled with its code, a ring per level above 0
    assert_eq!(of_class("axis").len(), themes.len());
    let labels: Vec<&str> = svg
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .filter(|t| themes.contains(t))
        .collect();
    assert_eq!(labels, themes);
    assert_eq!(of_class("ring").len(), 3);
    // the score, the previous score and the target, each a point per theme inside the chart
    let points = |class: &str| -> Vec<(f64, f64)> {
        let polygons = of_class(class);
        assert_eq!(polygons.len(), 1, "{class}");
        polygons[0]
            .attribute("points")
            .unwrap()
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect()
    };
    let centre = size / 2.0;
    let distance = |(x, y): (f64, f64)| ((x - centre).powi(2) + (y - centre).powi(2)).sqrt();
    let scores = points("score");
    assert_eq!(scores.len(), themes.len());
    assert!(distance(scores[0]) < 0.5, "AOB scored 0 sits in the centre");
    let outer = distance(points("target")[0]);
    assert!(outer > 100.0 && outer < size / 2.0, "{outer}");
    // MON scored 2 of 3: two thirds of the way out
    assert!((distance(scores[2]) / outer - 2.0 / 3.0).abs() < 0.01);
    assert_eq!(points("previous").len(), themes.len());

    // the Markdown has the table
    let markdown = app
        .get("/api/v1/reports/2022/document?format=markdown")
        .await;
    let text = String::from_utf8(markdown.body.clone()).unwrap();
    assert!(
        text.contains("## Zelfevaluatie organisatiebeheersing"),
        "{text}"
    );
    assert!(
        // a `+` that could start a list is escaped; Markdown shows it as `+1`
        text.contains(r"| MON | Monitoring | 2 (Gestructureerde aanzet) | 1 | \+1 | 3 | 1 |"),
        "{text}"
    );
}

#[actix_web::test]
async fn adoption_locks_the_years_self_evaluations_for_the_api_and_sql() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    let adopted = evaluate(
        &app,
        json!({"year": 2022, "title": "Zelfevaluatie 2022",
               "scores": [{"theme_code": "MON", "score": 1}]}),
    )
    .await;
    let earlier = evaluate(
        &app,
        json!({"year": 2021, "title": "Zelfevaluatie 2021",
               "scores": [{"theme_code": "MON", "score": 0}]}),
    )
    .await;
    app.put_json(
        "/api/v1/reports/2022",
        &json!({"title": "Voortgangsrapport 2022"}),
    )
    .await
    .ok_json(201);
    let report = app
        .post_json("/api/v1/reports/2022/adopt", &json!({}))
        .await
        .ok_json(200);
    assert_eq!(report["status"], "adopted");
    let snapshot = app.get("/api/v1/reports/2022").await.ok_json(200);
    assert_eq!(snapshot["self_evaluation"]["title"], "Zelfevaluatie 2022");

    let path = format!("/api/v1/self-evaluations/{}", adopted["id"]);
    let locked = app
        .patch(&path, &json!({"title": "Later"}))
        .await
        .problem(409);
    assert!(
        locked["detail"].as_str().unwrap().contains("adopted"),
        "{locked}"
    );
    app.delete(&path).await.problem(409);
    app.post_json(
        "/api/v1/self-evaluations",
        &json!({"year": 2022, "title": "Nog een"}),
    )
    .await
    .problem(409);
    // moving another year's into the adopted year is refused too
    app.patch(
        &format!("/api/v1/self-evaluations/{}", earlier["id"]),
        &json!({"year": 2022}),
    )
    .await
    .problem(409);
    let mut conn = app.db();
    let refused =
        diesel::sql_query("UPDATE self_evaluation_scores SET score = 3 WHERE year = 2022")
            .execute(&mut conn)
            .expect_err("the adoption lock holds for SQL too")
            .to_string();
    assert!(refused.contains("adopted"), "{refused}");
    assert_eq!(app.get(&path).await.ok_json(200), adopted);
}

#[actix_web::test]
async fn a_page_of_self_evaluations_is_two_statements_whatever_its_length() {
    let app = TestApp::with_domains(&[DOMAIN]).await;
    let mut conn = app.db();
    let count = crate::actions::counting(&mut conn);
    let page = |conn: &mut diesel::PgConnection| {
        let filter = voortgang::self_evaluations::repo::Filter {
            year: None,
            scope: None,
            department_id: None,
            theme: None,
            window: voortgang::api::listing::Window::new(None, None, None, Some(100), None)
                .unwrap(),
        };
        let items = voortgang::self_evaluations::repo::list(conn, filter)
            .unwrap()
            .0;
        items.iter().map(|e| e.scores.len()).sum::<usize>()
    };
    for n in 0..25 {
        evaluate(
            &app,
            json!({"year": 2000 + n, "title": format!("Zelfevaluatie {n}"),
                   "scores": [{"theme_code": "MON", "score": n % 4},
                              {"theme_code": "ORG", "score": 1}]}),
        )
        .await;
        if n == 0 {
            assert_eq!(page(&mut conn), 2);
            assert_eq!(count.swap(0, Ordering::Relaxed), 2);
        }
    }
    assert_eq!(page(&mut conn), 50);
    assert_eq!(count.swap(0, Ordering::Relaxed), 2);
}
