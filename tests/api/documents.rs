//! The report and the worklists as office documents.

use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};

use actix_web::http::Method;

use crate::helpers::{send, send_bytes, token, TestApp, TestResponse};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn workbook(body: &[u8]) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    Xlsx::new(std::io::Cursor::new(body.to_vec())).expect("an xlsx workbook")
}

/// The rows of a sheet below its header.
fn rows(book: &mut Xlsx<std::io::Cursor<Vec<u8>>>, sheet: &str) -> Vec<Vec<Data>> {
    let range = book.worksheet_range(sheet).expect(sheet);
    range.rows().skip(1).map(<[Data]>::to_vec).collect()
}

/// The ids of a part of the JSON report, sub-actions after their parent.
fn ids(report: &Value, part: &str) -> Vec<i64> {
    fn walk(items: &[Value], out: &mut Vec<i64>) {
        for item in items {
            out.push(item["id"].as_i64().unwrap());
            if let Some(subs) = item["sub_actions"].as_array() {
                walk(subs, out);
            }
        }
    }
    let mut out = Vec::new();
    for domain in report["domains"].as_array().unwrap() {
        walk(domain[part]["items"].as_array().unwrap(), &mut out);
    }
    out
}

fn number(cell: &Data) -> i64 {
    match cell {
        Data::Float(f) => *f as i64,
        Data::Int(i) => *i,
        other => panic!("not a number cell: {other:?}"),
    }
}

#[actix_web::test]
async fn the_report_as_a_workbook_holds_every_part_in_the_reports_order() {
    let app = TestApp::with_demo().await;
    let formula = "=HYPERLINK(\"http://evil\",\"klik\")";
    app.put_json(
        "/api/v1/actions/by-ref/F1",
        &json!({"title": formula, "domain_ids": ["organisatiecultuur"],
                "statuses": [{"year": 2022, "status": "realised", "progress": 100}]}),
    )
    .await
    .ok_json(201);
    app.put_json(
        "/api/v1/reports/2022",
        &json!({"title": "Voortgangsrapport 2022 Organisatiebeheersing",
                "presented_on": "2023-06-06"}),
    )
    .await
    .ok_json(200);
    let report = app.get("/api/v1/reports/2022").await.ok_json(200);

    let response = app.get("/api/v1/reports/2022/document?format=xlsx").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.content_type(), XLSX);
    let mut book = workbook(&response.body);
    assert_eq!(
        book.sheet_names(),
        [
            "Rapport",
            "Overzicht",
            "Detail criterium",
            "Op te volgen hoge risico's",
            "Realisaties",
            "Planning"
        ]
    );

    // each part: one row per item, sub-actions included, in the JSON report's order
    for (sheet, part) in [
        ("Detail criterium", "criteria"),
        ("Op te volgen hoge risico's", "risks"),
        ("Realisaties", "realisations"),
        ("Planning", "planning"),
    ] {
        let found: Vec<i64> = rows(&mut book, sheet)
            .iter()
            .map(|r| number(&r[1]))
            .collect();
        assert_eq!(found, ids(&report, part), "{sheet}");
    }

    // the overview's counts are numbers, and the totals add up
    let overview = rows(&mut book, "Overzicht");
    let domains = report["domains"].as_array().unwrap();
    assert_eq!(overview.len(), domains.len() + 1);
    for (row, domain) in overview.iter().zip(domains) {
        assert_eq!(
            row[0],
            Data::String(domain["name"].as_str().unwrap().into())
        );
        assert_eq!(
            number(&row[3]),
            domain["realisations"]["count"].as_i64().unwrap()
        );
    }
    let total: i64 = domains
        .iter()
        .map(|d| d["planning"]["count"].as_i64().unwrap())
        .sum();
    assert_eq!(overview.last().unwrap()[0], Data::String("Totaal".into()));
    assert_eq!(number(&overview.last().unwrap()[4]), total);

    // dates are dates; formula-like text is text, never a formula
    let facts = rows(&mut book, "Rapport");
    let presented = facts
        .iter()
        .find(|r| r[0] == Data::String("Voorgesteld op".into()));
    match &presented.expect("the presentation day")[1] {
        // Excel's serial day of 2023-06-06
        Data::DateTime(day) => assert_eq!(day.as_f64(), 45083.0),
        other => panic!("not a date cell: {other:?}"),
    }
    let realised = rows(&mut book, "Realisaties");
    assert!(realised
        .iter()
        .any(|r| r[2] == Data::String(formula.into())));
    let formulas = book.worksheet_formula("Realisaties").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));

    // the Accept header chooses the format when the query does not
    let mut request = app.request(
        actix_web::http::Method::GET,
        "/api/v1/reports/2022/document",
    );
    request = request.insert_header(("Accept", format!("text/html;q=0.5, {XLSX}")));
    let negotiated = send(request, None).await;
    assert_eq!(negotiated.content_type(), XLSX);
    assert_eq!(negotiated.header("etag"), response.header("etag"));
    assert_eq!(negotiated.header("vary"), Some("Accept"));
    let plain = app.get("/api/v1/reports/2022/document").await;
    assert_eq!(plain.content_type(), "text/html; charset=utf-8");
}

#[actix_web::test]
async fn an_adopted_reports_workbook_is_the_same_bytes_every_time() {
    let app = TestApp::with_demo().await;
    app.post_json("/api/v1/reports/2022/adopt", &json!({}))
        .await
        .ok_json(200);
    let first = app.get("/api/v1/reports/2022/document?format=xlsx").await;
    assert_eq!(first.status, 200);
    app.put_json(
        "/api/v1/actions/by-ref/LATER",
        &json!({"title": "Later", "domain_ids": ["organisatiecultuur"],
                "statuses": [{"year": 2022, "status": "realised"}]}),
    )
    .await;
    let second = app.get("/api/v1/reports/2022/document?format=xlsx").await;
    assert_eq!(first.body, second.body);
    let mut book = workbook(&first.body);
    let facts = rows(&mut book, "Rapport");
    let sha = report_sha(&app).await;
    assert!(
        facts.iter().any(|r| r[1] == Data::String(sha.clone())),
        "{facts:?}"
    );
}

async fn report_sha(app: &TestApp) -> String {
    let report = app.get("/api/v1/reports/2022").await.ok_json(200);
    report["report"]["sha256"].as_str().unwrap().to_string()
}

/// The cycle tests' 2022 (`hr` with two actions to follow up and a risk, `financien` with
/// an action and a risk), one of `hr`'s actions in progress at 40% with a formula-like note,
/// and 2023 opened for review; with an editor's token for each department.
struct Cycle {
    hr_action: i64,
    hr_risk: i64,
    hr_recommendation: i64,
    fin_action: i64,
    hr_editor: String,
    fin_editor: String,
}

async fn cycle(app: &TestApp) -> Cycle {
    let year = crate::cycle::year_2022(app).await;
    let hr_action = year.hr_actions[1];
    let audit = crate::recommendations::audit(app, "Audit personeelsbeleid").await;
    let hr_recommendation = crate::recommendations::recommendation(
        app,
        audit,
        json!({"text": "Actualiseer het onthaalbeleid.", "priority": "medium", "department_id": "hr"}),
    )
    .await;
    app.put_json(
        &format!("/api/v1/actions/{hr_action}/statuses/2022"),
        &json!({"status": "in_progress", "progress": 40, "note": "=gestart"}),
    )
    .await
    .ok_json(200);
    app.post_json(
        "/api/v1/reports/2023/open",
        &json!({"collect_until": "2099-03-31"}),
    )
    .await
    .ok_json(201);
    let editor = |department: &str| json!({"name": format!("editor-{department}"), "role": "editor", "department_ids": [department]});
    Cycle {
        hr_action,
        hr_risk: year.hr_risk,
        hr_recommendation,
        fin_action: year.fin_action,
        hr_editor: token(app, editor("hr")).await,
        fin_editor: token(app, editor("financien")).await,
    }
}

/// The workbook `form` as a department fills it in: every sheet and cell copied, `edits`
/// (sheet, 0-based row and column, value) written over them.
fn fill(form: &[u8], edits: &[(&str, u32, u16, Data)]) -> Vec<u8> {
    let mut book = workbook(form);
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let sheet = out.add_worksheet();
        sheet.set_name(&name).unwrap();
        let mut cells: Vec<(u32, u16, Data)> = range
            .cells()
            .map(|(r, c, v)| (r as u32, c as u16, v.clone()))
            .collect();
        for (sheet_name, row, col, value) in edits {
            if *sheet_name == name {
                cells.retain(|(r, c, _)| (r, c) != (row, col));
                cells.push((*row, *col, value.clone()));
            }
        }
        for (row, col, value) in cells {
            match value {
                Data::String(s) => sheet.write_string(row, col, s).map(|_| ()),
                Data::Float(f) => sheet.write_number(row, col, f).map(|_| ()),
                Data::Int(i) => sheet.write_number(row, col, i as f64).map(|_| ()),
                Data::Empty => Ok(()),
                other => panic!("unexpected cell {other:?}"),
            }
            .unwrap();
        }
    }
    out.save_to_buffer().unwrap()
}

async fn import(app: &TestApp, secret: &str, query: &str, body: Vec<u8>) -> TestResponse {
    let request = app
        .request_as(
            Method::POST,
            &format!("/api/v1/reports/2023/worklist/import{query}"),
            Some(secret),
        )
        .insert_header(("Content-Type", XLSX));
    send_bytes(request, Some(body)).await
}

/// The row (0-based) of the item with `key` in the form's items sheet.
fn row_of(form: &[u8], key: &str) -> u32 {
    let mut book = workbook(form);
    let range = book.worksheet_range("Werklijst").unwrap();
    let found = range
        .rows()
        .position(|r| r[15] == Data::String(key.into()))
        .unwrap_or_else(|| panic!("{key} is on the form"));
    found as u32
}

#[actix_web::test]
async fn a_department_fills_in_its_worklist_workbook_and_imports_it() {
    let app = TestApp::with_domains(&["organisatiecultuur"]).await;
    let c = cycle(&app).await;

    // the form: the department's items, last year's values, the answer columns empty
    let download = app.request_as(
        Method::GET,
        "/api/v1/reports/2023/worklist?format=xlsx",
        Some(&c.hr_editor),
    );
    let form = send(download, None).await;
    assert_eq!(form.status, 200, "{}", String::from_utf8_lossy(&form.body));
    assert_eq!(form.content_type(), XLSX);
    let mut book = workbook(&form.body);
    assert_eq!(
        book.sheet_names(),
        ["Werklijst", "Nieuwe acties", "Domeinen", "Gegevens"]
    );
    let items = rows(&mut book, "Werklijst");
    assert_eq!(
        items.len(),
        4,
        "two actions, a risk, a recommendation: {items:?}"
    );
    let action_row = row_of(&form.body, &format!("action_status/{}", c.hr_action));
    let risk_row = row_of(&form.body, &format!("risk_assessment/{}", c.hr_risk));
    let recommendation_row = row_of(
        &form.body,
        &format!("recommendation_status/{}", c.hr_recommendation),
    );
    let action = &items[action_row as usize - 1];
    assert_eq!(action[0], Data::String("Actie".into()));
    assert_eq!(number(&action[1]), c.hr_action);
    assert_eq!(action[4], Data::String("in uitvoering".into()));
    assert_eq!(number(&action[5]), 40);
    assert_eq!(
        action[8],
        Data::String("=gestart".into()),
        "formula-like text stays text"
    );
    assert_eq!(action[10], Data::Empty);

    // filled in; a dry run writes nothing and says what would happen
    let filled = fill(
        &form.body,
        &[
            (
                "Werklijst",
                action_row,
                10,
                Data::String("gerealiseerd".into()),
            ),
            ("Werklijst", action_row, 11, Data::Float(100.0)),
            (
                "Werklijst",
                action_row,
                14,
                Data::String("Afgerond in juni.".into()),
            ),
            ("Werklijst", risk_row, 10, Data::String("opvolging".into())),
            ("Werklijst", risk_row, 12, Data::Float(3.0)),
            (
                "Werklijst",
                recommendation_row,
                10,
                Data::String("gedeeltelijk uitgevoerd".into()),
            ),
            ("Werklijst", risk_row, 13, Data::Float(2.0)),
            // a new action, its domain chosen by name
            (
                "Nieuwe acties",
                1,
                0,
                Data::String("Digitaal personeelsdossier".into()),
            ),
            (
                "Nieuwe acties",
                1,
                1,
                Data::String("organisatiecultuur".into()),
            ),
            ("Nieuwe acties", 1, 2, Data::String("gepland".into())),
            (
                "Nieuwe acties",
                1,
                4,
                Data::String("Start in het najaar.".into()),
            ),
        ],
    );
    let dry = import(&app, &c.hr_editor, "?dry_run=true", filled.clone())
        .await
        .ok_json(200);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(
        (
            dry["created"].as_i64(),
            dry["added"].as_i64(),
            dry["unanswered"].as_i64()
        ),
        (Some(4), Some(1), Some(1))
    );
    let changed = &dry["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "action_status")
        .unwrap()["changes"];
    assert_eq!(
        changed[0],
        json!({"field": "status", "before": null, "after": "realised"})
    );
    let status = format!("/api/v1/actions/{}/statuses/2023", c.hr_action);
    assert_eq!(
        app.get(&status).await.status,
        404,
        "a dry run writes nothing"
    );

    // for real: the API shows exactly those answers, submitted for review
    let done = import(&app, &c.hr_editor, "", filled.clone())
        .await
        .ok_json(200);
    assert_eq!(
        (done["dry_run"].as_bool(), done["created"].as_i64()),
        (Some(false), Some(4))
    );
    let added = done["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["sheet"] == "Nieuwe acties")
        .expect("the new action")["id"]
        .as_i64()
        .unwrap();
    let action = app
        .get(&format!("/api/v1/actions/{added}"))
        .await
        .ok_json(200);
    assert_eq!(
        (
            &action["title"],
            &action["department_id"],
            &action["domain_ids"]
        ),
        (
            &json!("Digitaal personeelsdossier"),
            &json!("hr"),
            &json!(["organisatiecultuur"])
        )
    );
    let planned = app
        .get(&format!("/api/v1/actions/{added}/statuses/2023"))
        .await
        .ok_json(200);
    assert_eq!(
        (
            &planned["status"],
            &planned["note"],
            &planned["review"]["state"]
        ),
        (
            &json!("planned"),
            &json!("Start in het najaar."),
            &json!("submitted")
        )
    );
    let written = app.get(&status).await.ok_json(200);
    assert_eq!(
        (
            &written["status"],
            &written["progress"],
            &written["note"],
            &written["review"]["state"]
        ),
        (
            &json!("realised"),
            &json!(100),
            &json!("Afgerond in juni."),
            &json!("submitted")
        )
    );
    let assessed = app
        .get(&format!("/api/v1/risks/{}/assessments/2023", c.hr_risk))
        .await
        .ok_json(200);
    assert_eq!(
        (
            &assessed["status"],
            &assessed["likelihood"],
            &assessed["impact"],
            &assessed["note"]
        ),
        (&json!("monitoring"), &json!(3), &json!(2), &Value::Null)
    );
    let implemented = app
        .get(&format!(
            "/api/v1/recommendations/{}/statuses/2023",
            c.hr_recommendation
        ))
        .await
        .ok_json(200);
    assert_eq!(implemented["status"], "partly_implemented");
    let events = app
        .get(&format!(
            "/api/v1/audit-events?entity_type=action_status&entity_id={}/2023",
            c.hr_action
        ))
        .await
        .ok_json(200);
    assert_eq!(events["items"].as_array().unwrap().len(), 1, "{events}");

    // the same workbook again changes nothing
    let again = import(&app, &c.hr_editor, "", filled.clone())
        .await
        .ok_json(200);
    assert_eq!(
        (
            again["unchanged"].as_i64(),
            again["created"].as_i64(),
            again["added"].as_i64()
        ),
        (Some(4), Some(0), Some(0)),
        "the new action is not added twice"
    );

    // an answer the reviewer returned stays returned when it is sent back as it was, and is
    // submitted again once it changes, as with its PUT
    let reviewer = token(&app, json!({"name": "coordinator", "role": "reviewer"})).await;
    let review = app
        .request_as(Method::POST, &format!("{status}/review"), Some(&reviewer))
        .insert_header(("Content-Type", "application/json"));
    let returned = send(
        review,
        Some(json!({"decision": "return", "note": "Graag bevestigen."}).to_string()),
    )
    .await;
    assert_eq!(
        returned.status,
        200,
        "{}",
        String::from_utf8_lossy(&returned.body)
    );
    let resent = import(&app, &c.hr_editor, "", filled.clone())
        .await
        .ok_json(200);
    assert_eq!(
        (resent["updated"].as_i64(), resent["unchanged"].as_i64()),
        (Some(0), Some(4))
    );
    assert_eq!(
        app.get(&status).await.ok_json(200)["review"]["state"],
        "returned"
    );
    let form = send(
        app.request_as(
            Method::GET,
            "/api/v1/reports/2023/worklist?format=xlsx",
            Some(&c.hr_editor),
        ),
        None,
    )
    .await;
    let row = row_of(&form.body, &format!("action_status/{}", c.hr_action));
    let mut book = workbook(&form.body);
    let range = book.worksheet_range("Werklijst").unwrap();
    let returned_row = range.rows().nth(row as usize).unwrap();
    assert_eq!(returned_row[3], Data::String("teruggestuurd".into()));
    assert_eq!(
        returned_row[9],
        Data::String("Graag bevestigen.".into()),
        "the reviewer's note"
    );
    assert_eq!(
        returned_row[10],
        Data::String("gerealiseerd".into()),
        "the answer comes pre-filled"
    );
    let confirmed = fill(
        &form.body,
        &[(
            "Werklijst",
            row,
            14,
            Data::String("Bevestigd: afgerond in juni.".into()),
        )],
    );
    let resent = import(&app, &c.hr_editor, "", confirmed).await.ok_json(200);
    assert_eq!(resent["updated"].as_i64(), Some(1));
    assert_eq!(
        app.get(&status).await.ok_json(200)["review"]["state"],
        "submitted"
    );
}

#[actix_web::test]
async fn a_worklist_workbook_edited_in_the_wrong_places_is_refused_with_the_cells_named() {
    let app = TestApp::with_domains(&["organisatiecultuur"]).await;
    let c = cycle(&app).await;
    let path = "/api/v1/reports/2023/worklist?format=xlsx&department_id=hr";
    let form = app.get(path).await;
    assert_eq!(form.status, 200);
    let row = row_of(&form.body, &format!("action_status/{}", c.hr_action));
    let answered = ("Werklijst", row, 10, Data::String("gerealiseerd".into()));
    let refused = |response: TestResponse| {
        let problem = response.problem(422);
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let r = row + 1;
    for (edits, cells) in [
        // a status that is not one of the row's, a progress out of range
        (
            vec![
                ("Werklijst", row, 10, Data::String("kapot".into())),
                ("Werklijst", row, 11, Data::Float(140.0)),
            ],
            vec![format!("Werklijst!K{r}"), format!("Werklijst!L{r}")],
        ),
        // a risk's likelihood on an action
        (
            vec![answered.clone(), ("Werklijst", row, 12, Data::Float(3.0))],
            vec![format!("Werklijst!M{r}")],
        ),
        // the number of the row no longer matches its hidden key
        (
            vec![
                answered.clone(),
                ("Werklijst", row, 1, Data::Float(99999.0)),
            ],
            vec![format!("Werklijst!B{r}")],
        ),
        // another department's item under the hidden key
        (
            vec![
                answered.clone(),
                ("Werklijst", row, 1, Data::Float(c.fin_action as f64)),
                (
                    "Werklijst",
                    row,
                    15,
                    Data::String(format!("action_status/{}", c.fin_action)),
                ),
            ],
            vec![format!("Werklijst!P{r}")],
        ),
        // a moved column
        (
            vec![
                answered.clone(),
                ("Werklijst", 0, 10, Data::String("Nieuwe status".into())),
            ],
            vec!["Werklijst!K1".to_string()],
        ),
        // a new action in a domain that does not exist, one without a status
        (
            vec![
                ("Nieuwe acties", 1, 0, Data::String("Iets nieuws".into())),
                ("Nieuwe acties", 1, 2, Data::String("geweldig".into())),
            ],
            vec![
                "Nieuwe acties!B2".to_string(),
                "Nieuwe acties!C2".to_string(),
            ],
        ),
        (
            vec![
                ("Nieuwe acties", 1, 0, Data::String("Iets nieuws".into())),
                (
                    "Nieuwe acties",
                    1,
                    1,
                    Data::String("Onbestaand domein".into()),
                ),
                ("Nieuwe acties", 1, 2, Data::String("gepland".into())),
            ],
            vec!["Nieuwe acties!B2".to_string()],
        ),
        // another year's workbook
        (
            vec![answered.clone(), ("Gegevens", 1, 1, Data::Float(2022.0))],
            vec!["Gegevens!B2".to_string()],
        ),
    ] {
        let response = import(&app, &c.hr_editor, "", fill(&form.body, &edits)).await;
        assert_eq!(refused(response), cells, "{edits:?}");
    }
    let status = format!("/api/v1/actions/{}/statuses/2023", c.hr_action);
    assert_eq!(app.get(&status).await.status, 404, "nothing was written");

    // a department imports only its own worklist; what is not a workbook is a 422
    let theirs = import(&app, &c.fin_editor, "", fill(&form.body, &[answered])).await;
    assert_eq!(theirs.problem(403)["status"], 403);
    let not_a_workbook = import(&app, &c.hr_editor, "", b"Status;Nr".to_vec()).await;
    assert_eq!(refused(not_a_workbook), ["body"]);
    // a reviewer must say which department's workbook it wants
    let reviewer = token(&app, json!({"name": "coordinator", "role": "reviewer"})).await;
    let asked = send(
        app.request_as(
            Method::GET,
            "/api/v1/reports/2023/worklist?format=xlsx",
            Some(&reviewer),
        ),
        None,
    )
    .await;
    assert_eq!(refused(asked), ["department_id"]);
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The paragraphs of a Word document's body: style and text, in order.
fn paragraphs(docx: &[u8]) -> Vec<(String, String)> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip package");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("the main part")
        .read_to_string(&mut xml)
        .unwrap();
    let document = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    document
        .descendants()
        .filter(|n| n.has_tag_name((w, "p")))
        .map(|p| {
            let style = p
                .descendants()
                .find(|n| n.has_tag_name((w, "pStyle")))
                .and_then(|s| s.attribute((w, "val")))
                .unwrap_or("")
                .to_string();
            // the first run holds the item; a risk's assessment follows in a run of its own
            let first_run = p.children().find(|n| {
                n.has_tag_name((w, "r")) && n.descendants().any(|t| t.has_tag_name((w, "t")))
            });
            let text = first_run
                .map(|r| {
                    r.descendants()
                        .filter(|t| t.has_tag_name((w, "t")))
                        .filter_map(|t| t.text())
                        .collect::<String>()
                })
                .unwrap_or_default();
            (style, text)
        })
        .collect()
}

#[actix_web::test]
async fn the_word_document_holds_the_reports_items_in_the_reports_order() {
    let app = TestApp::with_demo().await;
    let evil = "<w:p>]]> & \"'";
    app.put_json(
        "/api/v1/actions/by-ref/EVIL",
        &json!({"title": evil, "domain_ids": ["organisatiecultuur"],
                "statuses": [{"year": 2022, "status": "realised"}]}),
    )
    .await
    .ok_json(201);
    let report = app.get("/api/v1/reports/2022").await.ok_json(200);
    let response = app.get("/api/v1/reports/2022/document?format=docx").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.content_type(), DOCX);
    let found = paragraphs(&response.body);

    // the chapters are Word headings: the navigation pane and the table of contents see them
    let chapters: Vec<&str> = found
        .iter()
        .filter(|(style, _)| style == "Kop1")
        .map(|(_, text)| text.as_str())
        .collect();
    let mut expected = vec!["Inleiding", "Overzicht"];
    expected.extend(
        report["domains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap()),
    );
    assert_eq!(chapters, expected);

    // every item of every part, in the JSON report's order (sub-actions after their parent)
    let mut items = Vec::new();
    for domain in report["domains"].as_array().unwrap() {
        for c in domain["criteria"]["items"].as_array().unwrap() {
            items.push(c["text"].as_str().unwrap().to_string());
        }
        for r in domain["risks"]["items"].as_array().unwrap() {
            items.push(r["title"].as_str().unwrap().to_string());
        }
        fn walk(actions: &[Value], out: &mut Vec<String>) {
            for a in actions {
                out.push(a["title"].as_str().unwrap().to_string());
                walk(a["sub_actions"].as_array().unwrap(), out);
            }
        }
        walk(
            domain["realisations"]["items"].as_array().unwrap(),
            &mut items,
        );
        walk(domain["planning"]["items"].as_array().unwrap(), &mut items);
    }
    let listed: Vec<String> = found
        .iter()
        .filter(|(style, _)| style == "Lijstalinea")
        .map(|(_, text)| text.clone())
        .collect();
    assert_eq!(listed, items);
    assert!(
        listed.iter().any(|t| t == evil),
        "markup in a title reads as text"
    );

    // A4 and page numbers
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(response.body.clone())).unwrap();
    let mut footer = String::new();
    archive
        .by_name("word/footer1.xml")
        .unwrap()
        .read_to_string(&mut footer)
        .unwrap();
    assert!(footer.contains(" PAGE "));
    let mut body = String::new();
    archive
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut body)
        .unwrap();
    assert!(body.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#));
}

#[actix_web::test]
async fn an_adopted_years_word_document_names_its_snapshot_and_never_changes() {
    let app = TestApp::with_demo().await;
    app.post_json("/api/v1/reports/2022/adopt", &json!({}))
        .await
        .ok_json(200);
    let first = app.get("/api/v1/reports/2022/document?format=docx").await;
    app.put_json(
        "/api/v1/actions/by-ref/LATER",
        &json!({"title": "Later", "domain_ids": ["organisatiecultuur"],
                "statuses": [{"year": 2023, "status": "realised"}]}),
    )
    .await;
    let second = app.get("/api/v1/reports/2022/document?format=docx").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body, second.body, "the same bytes on every call");
    let sha = report_sha(&app).await;
    assert!(paragraphs(&first.body)
        .iter()
        .any(|(_, text)| text.contains(&sha)));
}

#[actix_web::test]
async fn the_exports_as_one_workbook_hold_every_table_typed() {
    let app = TestApp::with_demo().await;
    let tables = app.get("/api/v1/exports").await.ok_json(200);
    let names: Vec<&str> = tables
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let response = app.get("/api/v1/exports?format=xlsx").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.content_type(), XLSX);
    let mut book = workbook(&response.body);
    let mut expected = vec!["Tabellen"];
    expected.extend(&names);
    assert_eq!(book.sheet_names(), expected);

    let listed = rows(&mut book, "Tabellen");
    for (name, row) in names.iter().zip(&listed) {
        assert_eq!(row[0], Data::String(name.to_string()));
        let json = app
            .get(&format!("/api/v1/exports/{name}?limit=5000"))
            .await
            .ok_json(200);
        let items = json["items"].as_array().unwrap();
        assert_eq!(number(&row[2]), items.len() as i64, "{name}");
        let sheet = rows(&mut book, name);
        assert_eq!(sheet.len(), items.len(), "{name}");
        // the same rows in the same order, typed by column
        let columns = tables
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == *name)
            .unwrap()["columns"]
            .as_array()
            .unwrap()
            .clone();
        for (cells, item) in sheet.iter().zip(items) {
            for (cell, column) in cells.iter().zip(&columns) {
                let value = &item[column["name"].as_str().unwrap()];
                match (column["type"].as_str().unwrap(), value) {
                    // an empty text is an empty cell, as in a spreadsheet
                    (_, Value::Null) => assert_eq!(cell, &Data::Empty),
                    ("text", v) if v == "" => assert_eq!(cell, &Data::Empty),
                    ("integer", v) => assert_eq!(number(cell), v.as_i64().unwrap()),
                    ("text", v) => assert_eq!(cell, &Data::String(v.as_str().unwrap().into())),
                    ("date" | "timestamp", _) => {
                        assert!(matches!(cell, Data::DateTime(_)), "{cell:?}")
                    }
                    (other, _) => panic!("a column of type {other}"),
                }
            }
        }
    }
}

#[actix_web::test]
async fn each_editor_gets_its_own_departments_worklist_from_the_same_address() {
    let app = TestApp::with_domains(&["organisatiecultuur"]).await;
    let c = cycle(&app).await;
    for path in [
        "/api/v1/reports/2023/worklist",
        "/api/v1/reports/2023/worklist?format=xlsx",
    ] {
        let mut seen = Vec::new();
        for (secret, department) in [(&c.hr_editor, "hr"), (&c.fin_editor, "financien")] {
            let response = send(app.request_as(Method::GET, path, Some(secret)), None).await;
            assert_eq!(response.status, 200);
            let department_of_body = if path.ends_with("xlsx") {
                let mut book = workbook(&response.body);
                let about = book.worksheet_range("Gegevens").unwrap();
                about.get_value((2, 1)).cloned().unwrap()
            } else {
                let page = response.json();
                Data::String(page["items"][0]["department_id"].as_str().unwrap().into())
            };
            assert_eq!(
                department_of_body,
                Data::String(department.into()),
                "{path}"
            );
            seen.push(response.body);
        }
        assert_ne!(seen[0], seen[1], "{path}");
    }
}
