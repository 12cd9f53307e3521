//! `/api/v1/exports`: the star schema for PowerBI, as JSON pages and streamed CSV.

use actix_web::http::Method;
use base64::Engine;
use diesel::RunQueryDsl;
use serde_json::{json, Value};

use crate::helpers::{send, TestApp, ADMIN_TOKEN};

const TABLES: [&str; 20] = [
    "domains",
    "criteria",
    "departments",
    "themes",
    "years",
    "risks",
    "actions",
    "audits",
    "maturity_levels",
    "self_evaluations",
    "risk_assessments",
    "action_statuses",
    "recommendation_statuses",
    "self_evaluation_scores",
    "worklist_progress",
    "action_domains",
    "action_risks",
    "action_themes",
    "risk_themes",
    "audit_actions",
];

/// Parses RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks.
/// A quoted empty field is an empty string, an unquoted one is null.
fn parse_csv(text: &str) -> Vec<Vec<Option<String>>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                was_quoted = true;
            }
            ',' | '\n' => {
                let value = std::mem::take(&mut field);
                row.push((was_quoted || !value.is_empty()).then_some(value));
                was_quoted = false;
                if c == '\n' {
                    rows.push(std::mem::take(&mut row));
                }
            }
            '\r' => {}
            c => field.push(c),
        }
    }
    assert!(!quoted, "an unterminated quoted field");
    assert!(
        field.is_empty() && row.is_empty(),
        "the last row ends with a line break"
    );
    rows
}

/// A JSON value as CSV writes it.
fn as_csv(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

async fn csv(app: &TestApp, path: &str) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let response = app.get(path).await;
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(response.content_type(), "text/csv; charset=utf-8");
    let mut rows = parse_csv(std::str::from_utf8(&response.body).unwrap());
    let header = rows.remove(0).into_iter().map(Option::unwrap).collect();
    (header, rows)
}

/// Every row of a table, following `next_cursor` page by page.
async fn pages(app: &TestApp, path: &str, limit: usize) -> (Vec<Value>, usize) {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut next = Some(format!("{path}{separator}limit={limit}"));
    let mut rows = Vec::new();
    let mut requests = 0;
    while let Some(url) = next {
        let page = app.get(&url).await.ok_json(200);
        requests += 1;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        rows.extend(items.iter().cloned());
        next = page["next"].as_str().map(str::to_string);
        if let Some(next) = &next {
            assert!(next.starts_with("/api/v1/exports/"));
            assert!(next.contains(&format!("cursor={}", page["next_cursor"].as_str().unwrap())));
        } else {
            assert_eq!(page["next_cursor"], Value::Null);
        }
    }
    (rows, requests)
}

#[actix_web::test]
async fn the_tables_are_listed_with_their_columns() {
    let app = TestApp::spawn().await;
    let tables = app.get("/api/v1/exports").await.ok_json(200);
    let names: Vec<&str> = tables
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, TABLES);
    let facts = &tables[11];
    assert_eq!(facts["kind"], "fact");
    assert_eq!(facts["key"], json!(["action_id", "year"]));
    assert_eq!(facts["incremental"], true);
    assert_eq!(facts["href"], "/api/v1/exports/action_statuses");
    assert_eq!(facts["columns"][4]["name"], "status");
    assert_eq!(tables[14]["kind"], "fact");
    assert_eq!(tables[14]["key"], json!(["year", "department_id"]));
    assert_eq!(tables[16]["kind"], "bridge");
}

#[actix_web::test]
async fn every_table_pages_each_row_once_and_its_csv_holds_the_same_rows() {
    let app = TestApp::with_demo().await;
    // data that CSV must quote, and every bridge filled
    app.post_json(
        "/api/v1/departments",
        &json!({"id": "boekhouding", "name": "Financiën, \"boekhouding\""}),
    )
    .await
    .ok_json(201);
    let risk = app
        .post_json(
            "/api/v1/risks",
            &json!({"domain_id": "organisatiecultuur", "title": "Komma, \"aanhalingstekens\"",
                    "description": "Twee\nregels, met \"aanhalingstekens\"",
                    "department_id": "boekhouding", "theme_codes": ["CUL", "ORG"]}),
        )
        .await
        .ok_json(201)["id"]
        .clone();
    app.put_json(
        &format!("/api/v1/risks/{risk}/assessments/2023"),
        &json!({"likelihood": 4, "impact": 3, "status": "open", "note": ""}),
    )
    .await
    .ok_json(201);
    let recommendation = app
        .post_json(
            "/api/v1/audits/1/recommendations",
            &json!({"text": "=Formule, \"citaat\"", "priority": "high",
                    "department_id": "boekhouding", "due_on": "2023-12-31"}),
        )
        .await
        .ok_json(201)["id"]
        .clone();
    app.put_json(
        &format!("/api/v1/recommendations/{recommendation}/statuses/2023"),
        &json!({"status": "partly_implemented", "note": "Twee\nregels"}),
    )
    .await
    .ok_json(201);
    app.put_json(
        "/api/v1/actions/by-ref/FIN-1",
        &json!({"title": "Actie; met ✓ en é", "domain_ids": ["organisatiecultuur", "bescherming-activa"],
                "risk_ids": [risk], "theme_codes": ["FIM"], "department_id": "boekhouding",
                "statuses": [{"year": 2023, "status": "in_progress", "progress": 40}]}),
    )
    .await
    .ok_json(201);
    app.post_json(
        "/api/v1/self-evaluations",
        &json!({"year": 2023, "title": "Zelfevaluatie; \"deel\"", "scope": "partial",
                "scores": [{"theme_code": "FIM", "score": 1, "target": 3},
                           {"theme_code": "MON", "score": 2}]}),
    )
    .await
    .ok_json(201);

    let catalogue = app.get("/api/v1/exports").await.ok_json(200);
    for table in catalogue.as_array().unwrap() {
        let name = table["name"].as_str().unwrap();
        let columns: Vec<&str> = table["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        let key: Vec<&str> = table["key"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        let path = format!("/api/v1/exports/{name}");
        let (rows, requests) = pages(&app, &path, 7).await;
        assert!(!rows.is_empty(), "{name} has rows");
        assert!(requests >= rows.len() / 7, "{name}");
        let keys: Vec<Vec<Value>> = rows
            .iter()
            .map(|r| key.iter().map(|k| r[*k].clone()).collect())
            .collect();
        let mut unique = keys.clone();
        unique.dedup();
        assert_eq!(unique.len(), rows.len(), "{name}: each row once");
        for row in &rows {
            let present: Vec<&str> = row
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(present, columns, "{name}: every column, in order");
        }
        // one big page holds the same rows
        let whole = app.get(&format!("{path}?limit=5000")).await.ok_json(200);
        assert_eq!(whole["items"].as_array().unwrap(), &rows, "{name}");
        assert_eq!(whole["next_cursor"], Value::Null);

        let (header, csv_rows) = csv(&app, &format!("{path}?format=csv")).await;
        assert_eq!(header, columns, "{name}: the CSV header");
        let from_json: Vec<Vec<Option<String>>> = rows
            .iter()
            .map(|r| columns.iter().map(|c| as_csv(&r[*c])).collect())
            .collect();
        assert_eq!(
            csv_rows, from_json,
            "{name}: CSV and JSON hold the same rows"
        );
    }

    // spot checks of what PowerBI sees
    let (_, statuses) = csv(&app, "/api/v1/exports/action_statuses?format=csv").await;
    let last = statuses.last().unwrap();
    assert_eq!(last[2].as_deref(), Some("Actie; met ✓ en é"));
    assert_eq!(last[4].as_deref(), Some("in_progress"));
    assert_eq!(last[5].as_deref(), Some("40"));
    let timestamp = last[8].as_deref().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(timestamp).is_ok(),
        "ISO 8601 with offset: {timestamp}"
    );
    let assessments = app
        .get("/api/v1/exports/risk_assessments?limit=5000")
        .await
        .ok_json(200);
    let scored = assessments["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["year"] == 2023)
        .unwrap();
    assert_eq!(scored["score"], 12);
    assert_eq!(scored["level"], "high");
    assert_eq!(scored["note"], "");
    let risks = app
        .get("/api/v1/exports/risks?limit=5000")
        .await
        .ok_json(200);
    let named = risks["items"].as_array().unwrap().last().unwrap();
    assert_eq!(named["department_name"], "Financiën, \"boekhouding\"");
    assert_eq!(named["domain_name"], "Organisatiecultuur");
}

#[actix_web::test]
async fn an_empty_table_is_a_header_row_and_an_empty_page() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/exports/action_statuses?format=csv").await;
    assert_eq!(response.status, 200);
    assert_eq!(
        std::str::from_utf8(&response.body).unwrap(),
        "action_id,year,action_title,department_id,status,progress,note,review,created_at,updated_at\n"
    );
    let page = app
        .get("/api/v1/exports/action_statuses")
        .await
        .ok_json(200);
    assert_eq!(
        page,
        json!({"items": [], "next_cursor": null, "next": null})
    );
    // Accept: text/csv chooses CSV; format=json overrides it
    let accepted = send(
        app.request(Method::GET, "/api/v1/exports/domains")
            .insert_header(("Accept", "text/csv")),
        None,
    )
    .await;
    assert_eq!(accepted.content_type(), "text/csv; charset=utf-8");
    let json = send(
        app.request(Method::GET, "/api/v1/exports/domains?format=json")
            .insert_header(("Accept", "text/csv")),
        None,
    )
    .await;
    assert_eq!(json.content_type(), "application/json");
    // the qualities count: q=0 refuses CSV, a preferred JSON wins
    for (accept, expected) in [
        ("text/csv;q=0", "application/json"),
        ("application/json, text/csv;q=0.5", "application/json"),
        (
            "text/csv;q=0.9, application/json;q=0.4",
            "text/csv; charset=utf-8",
        ),
        ("text/csv, application/json", "text/csv; charset=utf-8"),
        ("*/*", "application/json"),
    ] {
        let response = send(
            app.request(Method::GET, "/api/v1/exports/domains")
                .insert_header(("Accept", accept)),
            None,
        )
        .await;
        assert_eq!(response.content_type(), expected, "Accept: {accept}");
    }
}

#[actix_web::test]
async fn the_incremental_window_returns_exactly_the_rows_changed_in_it() {
    let app = TestApp::with_demo().await;
    let mut conn = app.db();
    let now = |conn: &mut diesel::PgConnection| -> String {
        #[derive(diesel::QueryableByName)]
        struct Now {
            #[diesel(sql_type = diesel::sql_types::Text)]
            now: String,
        }
        diesel::sql_query("SELECT to_json(clock_timestamp()) #>> '{}' AS now")
            .get_result::<Now>(conn)
            .unwrap()
            .now
    };
    let start = now(&mut conn);
    let ids: Vec<i64> = app
        .get("/api/v1/actions?year=2022&limit=5&sort=id")
        .await
        .ok_json(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    for id in &ids[..3] {
        app.put_json(
            &format!("/api/v1/actions/{id}/statuses/2023"),
            &json!({"status": "realised"}),
        )
        .await
        .ok_json(201);
    }
    let middle = now(&mut conn);
    app.put_json(
        &format!("/api/v1/actions/{}/statuses/2022", ids[4]),
        &json!({"status": "postponed"}),
    )
    .await
    .ok_json(200);
    let end = now(&mut conn);
    let encoded = |t: &str| t.replace('+', "%2B");

    let window = |from: &str, to: &str| {
        format!(
            "/api/v1/exports/action_statuses?updated_from={}&updated_to={}",
            encoded(from),
            encoded(to)
        )
    };
    let (first, _) = pages(&app, &window(&start, &middle), 2).await;
    let changed: Vec<(i64, i64)> = first
        .iter()
        .map(|r| {
            (
                r["action_id"].as_i64().unwrap(),
                r["year"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        ids[..3].iter().map(|id| (*id, 2023)).collect::<Vec<_>>()
    );
    let (second, _) = pages(&app, &window(&middle, &end), 2).await;
    assert_eq!(second.len(), 1);
    assert_eq!(second[0]["action_id"], ids[4]);
    assert_eq!(second[0]["status"], "postponed");
    let (all, _) = pages(
        &app,
        &format!(
            "/api/v1/exports/action_statuses?updated_from={}",
            encoded(&start)
        ),
        100,
    )
    .await;
    assert_eq!(all.len(), 4);
    let (_, csv_rows) = csv(&app, &format!("{}&format=csv", window(&start, &middle))).await;
    assert_eq!(csv_rows.len(), 3);
    // a bridge follows its action, which a new status marks as changed
    let (links, _) = pages(
        &app,
        &format!(
            "/api/v1/exports/action_domains?updated_from={}",
            encoded(&start)
        ),
        100,
    )
    .await;
    let mut linked: Vec<i64> = links
        .iter()
        .map(|l| l["action_id"].as_i64().unwrap())
        .collect();
    linked.dedup();
    let mut touched = ids[..3].to_vec();
    touched.push(ids[4]);
    assert_eq!(
        linked, touched,
        "the links of the actions whose status changed"
    );
}

#[actix_web::test]
async fn export_requests_are_checked() {
    let app = TestApp::with_demo().await;
    app.get("/api/v1/exports/geheimen").await.problem(404);
    for query in [
        "limit=0",
        "limit=5001",
        "cursor=nietgeldig",
        "format=xlsx",
        "format=csv&limit=10",
        "updated_from=gisteren",
        "updated_from=2024-02-01T00:00:00Z&updated_to=2024-01-01T00:00:00Z",
        "kolom=1",
    ] {
        app.get(&format!("/api/v1/exports/action_statuses?{query}"))
            .await
            .problem(400);
    }
    app.get("/api/v1/exports/themes?updated_from=2024-01-01T00:00:00Z")
        .await
        .problem(400);
    // a cursor of another table's key is refused, not a failed cast
    let domains = app
        .get("/api/v1/exports/domains?limit=1")
        .await
        .ok_json(200);
    let cursor = domains["next_cursor"].as_str().unwrap();
    app.get(&format!("/api/v1/exports/action_statuses?cursor={cursor}"))
        .await
        .problem(400);
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("[99999999999,2022]");
    app.get(&format!("/api/v1/exports/action_statuses?cursor={forged}"))
        .await
        .problem(400);
}

#[actix_web::test]
async fn powerbi_reads_exports_with_basic_authentication() {
    let app = TestApp::with_demo().await;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("powerbi:{ADMIN_TOKEN}"));
    let response = send(
        awc::Client::default()
            .get(format!("{}/api/v1/exports/domains?format=csv", app.address))
            .insert_header(("Authorization", format!("Basic {basic}"))),
        None,
    )
    .await;
    assert_eq!(response.status, 200);
    assert!(std::str::from_utf8(&response.body)
        .unwrap()
        .starts_with("domain_id,domain_name,description,position,created_at,updated_at\n"));
    let anonymous = send(
        awc::Client::default().get(format!("{}/api/v1/exports/domains", app.address)),
        None,
    )
    .await;
    assert_eq!(anonymous.status, 401);
}

#[actix_web::test]
async fn csv_cells_a_spreadsheet_would_evaluate_are_neutralised_and_json_is_unchanged() {
    let app = TestApp::with_domains(&["organisatiecultuur"]).await;
    let title = "=HYPERLINK(\"https://kwaad.example\",\"klik\")";
    let description = "@SUM(A1:A9)";
    let external_ref = "+32-15";
    let note = "-1+2";
    let action = app
        .post_json(
            "/api/v1/actions",
            &json!({"title": title, "description": description, "external_ref": external_ref,
                    "domain_ids": ["organisatiecultuur"], "plan_ref": "AP - 1"}),
        )
        .await
        .ok_json(201);
    app.put_json(
        &format!("/api/v1/actions/{}/statuses/2023", action["id"]),
        &json!({"status": "planned", "note": note}),
    )
    .await
    .ok_json(201);

    let (header, rows) = csv(&app, "/api/v1/exports/actions?format=csv").await;
    let cell = |name: &str| {
        let at = header.iter().position(|h| h == name).unwrap();
        rows[0][at].clone().unwrap()
    };
    assert_eq!(cell("title"), format!("'{title}"));
    assert_eq!(cell("description"), format!("'{description}"));
    assert_eq!(cell("external_ref"), format!("'{external_ref}"));
    assert_eq!(
        cell("plan_ref"),
        "AP - 1",
        "a dash inside the text is left alone"
    );
    let (header, rows) = csv(&app, "/api/v1/exports/action_statuses?format=csv").await;
    let at = header.iter().position(|h| h == "note").unwrap();
    assert_eq!(rows[0][at].as_deref(), Some("'-1+2"));

    let json = app.get("/api/v1/exports/actions").await.ok_json(200);
    assert_eq!(json["items"][0]["title"], title);
    assert_eq!(json["items"][0]["external_ref"], external_ref);
}

#[actix_web::test]
async fn an_export_page_is_one_statement_prepared_once_per_table() {
    use diesel::Connection;
    let app = TestApp::with_demo().await;
    let mut conn = app.db();
    let (_, table) = voortgang::exports::tables::find("actions").unwrap();
    let window = voortgang::exports::Window {
        from: None,
        to: None,
    };
    // three pages of different sizes, each after the last key of the one before
    let mut after: Option<String> = None;
    let mut seen = Vec::new();
    for limit in [3, 4, 5] {
        let (items, rows, last_key) = conn
            .transaction::<_, voortgang::error::ApiError, _>(|conn| {
                window.apply(conn)?;
                Ok(voortgang::exports::handlers::page_of(
                    conn,
                    table,
                    after.clone(),
                    limit,
                )?)
            })
            .unwrap();
        let items: Vec<Value> = serde_json::from_str(&items).unwrap();
        assert_eq!(items.len() as i64, rows);
        assert_eq!(rows, limit);
        seen.extend(items.into_iter().map(|item| item["action_id"].clone()));
        after = last_key;
    }
    let distinct: std::collections::BTreeSet<String> =
        seen.iter().map(|id| id.to_string()).collect();
    assert_eq!(distinct.len(), 12, "each row once: {seen:?}");

    #[derive(diesel::QueryableByName)]
    struct Prepared {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement: String,
    }
    let prepared: Vec<Prepared> = diesel::sql_query("SELECT statement FROM pg_prepared_statements")
        .load(&mut conn)
        .unwrap();
    let pages = prepared
        .iter()
        .filter(|p| p.statement.contains("row_to_json(p)"))
        .count();
    assert_eq!(pages, 1, "one prepared page statement for the table");
}
