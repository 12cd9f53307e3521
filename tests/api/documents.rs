//! The report and the worklists as office documents.

use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};

use crate::helpers::{send, TestApp};

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
