//! The OpenAPI contract: committed, served and generated are the same document, and it is
//! complete enough for Swagger UI and generated clients.

use serde_json::Value;

use crate::helpers::TestApp;

const REGENERATE: &str = "cargo run -q -- openapi > openapi/openapi.json";

fn committed() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let text = std::fs::read_to_string(path).expect("openapi/openapi.json is committed");
    serde_json::from_str(&text).expect("openapi/openapi.json is JSON")
}

fn generated() -> Value {
    serde_json::to_value(voortgang::http::openapi()).unwrap()
}

fn operations(api: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in api["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            found.push((method.to_uppercase(), path.clone(), operation.clone()));
        }
    }
    found
}

#[test]
fn the_committed_contract_matches_the_code() {
    assert!(
        committed() == generated(),
        "openapi/openapi.json is out of date; regenerate it with `{REGENERATE}`"
    );
}

#[actix_web::test]
async fn the_served_contract_is_the_committed_one() {
    let app = TestApp::spawn().await;
    let served = app.get("/api-docs/openapi.json").await.ok_json(200);
    assert_eq!(served, committed());
    assert_eq!(served["openapi"], "3.1.0");
}

#[actix_web::test]
async fn swagger_ui_is_served() {
    let app = TestApp::spawn().await;
    let page = app.get("/swagger-ui/").await;
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    let config = app.get("/swagger-ui/swagger-initializer.js").await;
    assert_eq!(config.status, 200);
    assert!(String::from_utf8_lossy(&config.body).contains("/api-docs/openapi.json"));
}

#[test]
fn every_operation_has_an_id_a_summary_a_description_and_problem_errors() {
    let api = generated();
    let list = operations(&api);
    assert!(list.len() >= 19, "{} operations", list.len());
    for (method, path, operation) in list {
        let name = format!("{method} {path}");
        let id = operation["operationId"].as_str().unwrap_or_default();
        assert!(
            id.contains('_') && id.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{name}: operationId `{id}` is not <verb>_<resource>"
        );
        for key in ["summary", "description"] {
            assert!(
                operation[key]
                    .as_str()
                    .is_some_and(|s| !s.trim().is_empty()),
                "{name} has no {key}"
            );
        }
        for (status, response) in operation["responses"].as_object().unwrap() {
            assert!(response["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()));
            if status.starts_with('4') || status.starts_with('5') {
                if status == "405" {
                    continue;
                }
                let schema = &response["content"]["application/problem+json"]["schema"]["$ref"];
                assert_eq!(
                    schema, "#/components/schemas/Problem",
                    "{name} {status} does not reference the problem schema"
                );
            }
        }
        if path.starts_with("/api/") {
            assert!(
                operation["responses"]["500"].is_object(),
                "{name} lacks 500"
            );
            assert!(
                operation["responses"]["503"].is_object(),
                "{name} lacks 503"
            );
        }
    }
}

/// A property's own text, or that of the branch of a nullable reference (`oneOf: [null, $ref]`).
fn described(property: &Value) -> bool {
    let branches = property["oneOf"].as_array().cloned().unwrap_or_default();
    std::iter::once(property)
        .chain(branches.iter())
        .any(|p| p["description"].as_str().is_some_and(|d| !d.is_empty()))
}

/// References carry their example in the referenced schema, which is checked on its own.
fn is_reference(property: &Value) -> bool {
    property["$ref"].is_string()
        || property["items"]["$ref"].is_string()
        || property["oneOf"]
            .as_array()
            .is_some_and(|branches| branches.iter().any(|b| b["$ref"].is_string()))
}

fn check_properties(context: &str, schema: &Value) {
    if let Some(properties) = schema["properties"].as_object() {
        for (field, property) in properties {
            let name = format!("{context}.{field}");
            assert!(described(property), "{name} has no description");
            if property["items"]["properties"].is_object() {
                check_properties(&name, &property["items"]);
            } else if !is_reference(property) {
                assert!(!property["example"].is_null(), "{name} has no example");
            }
        }
    }
}

#[test]
fn every_schema_field_has_a_description_and_an_example() {
    let api = generated();
    for (name, schema) in api["components"]["schemas"].as_object().unwrap() {
        assert!(
            schema["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "schema {name} has no description"
        );
        check_properties(name, schema);
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                match (key.as_str(), member.as_str()) {
                    ("$ref", Some(target)) => refs.push(target.to_string()),
                    _ => collect_refs(member, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

#[test]
fn every_reference_points_at_a_component() {
    let api = generated();
    let mut refs = Vec::new();
    collect_refs(&api, &mut refs);
    assert!(!refs.is_empty());
    for target in refs {
        let component = target
            .strip_prefix("#/components/")
            .and_then(|rest| rest.split_once('/'))
            .filter(|(kind, _)| matches!(*kind, "schemas" | "headers"))
            .unwrap_or_else(|| panic!("unexpected reference {target}"));
        assert!(
            api["components"][component.0][component.1].is_object(),
            "{target} does not exist"
        );
    }
}

#[test]
fn every_link_names_an_operation_and_its_parameters() {
    let api = generated();
    let mut operations = std::collections::HashMap::new();
    for item in api["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            if let Some(id) = operation["operationId"].as_str() {
                operations.insert(id.to_string(), operation.clone());
            }
        }
    }
    let mut links = 0;
    for (path, item) in api["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(responses) = operation["responses"].as_object() else {
                continue;
            };
            for (status, response) in responses {
                let Some(found) = response["links"].as_object() else {
                    continue;
                };
                for (name, link) in found {
                    links += 1;
                    let at = format!("{method} {path} {status} {name}");
                    assert!(link.get("operation_id").is_none(), "{at}: misspelt");
                    let target = link["operationId"].as_str().expect(&at);
                    let target = operations.get(target).unwrap_or_else(|| panic!("{at}"));
                    let declared: Vec<&str> = target["parameters"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|p| p["in"] == "path")
                        .map(|p| p["name"].as_str().unwrap())
                        .collect();
                    let given: Vec<&str> = link["parameters"]
                        .as_object()
                        .unwrap()
                        .keys()
                        .map(String::as_str)
                        .collect();
                    for parameter in &declared {
                        assert!(given.contains(parameter), "{at}: no {parameter}");
                    }
                    for parameter in given {
                        assert!(declared.contains(&parameter), "{at}: {parameter} unknown");
                    }
                }
            }
        }
    }
    // creates lead to their resource: domains, criteria, departments, risks, actions, tokens
    assert!(links >= 20, "{links} links");
}

/// utoipa names a schema after its type, and of two types with one name the contract keeps
/// only one, so the other's responses would be described wrongly: every name must be unique.
#[test]
fn no_two_schema_types_share_a_name() {
    fn sources(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    let mut files = Vec::new();
    sources(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
        &mut files,
    );
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut clashes = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            // a derived schema, or a type declared by a macro that derives ToSchema itself
            // (`text_enum!`, the bodies' `*_members!`)
            let derived = line.trim_start().starts_with("#[derive(") && line.contains("ToSchema");
            let by_macro =
                line.contains("text_enum! {") || line.trim_end().ends_with("_members! {");
            if !(derived || by_macro) {
                continue;
            }
            let declaration = lines
                .by_ref()
                .map(str::trim)
                .find(|l| l.starts_with("pub struct ") || l.starts_with("pub enum "))
                .expect("a derive is followed by its type");
            let name: String = declaration
                .split_whitespace()
                .nth(2)
                .unwrap()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() {
                continue; // the declaration inside a macro's definition: `pub struct $name`
            }
            let place = file.display().to_string();
            if let Some(other) = seen.insert(name.clone(), place.clone()) {
                clashes.push(format!("{name}: {other} and {place}"));
            }
        }
    }
    assert!(seen.len() > 50, "found only {} schema types", seen.len());
    assert!(clashes.is_empty(), "schema names used twice: {clashes:?}");
}

/// The limit a schema property states in the contract, by the constant it must equal.
fn expected_limit(schema: &str, property: &str, keyword: &str, action_fields: u64) -> Option<i64> {
    use voortgang::api::limits::*;
    use voortgang::http::contract::{items_limit, length_limit};
    let as_i64 = |n: u64| i64::try_from(n).expect("a small limit");
    Some(match (property, keyword) {
        (_, "maxLength") => as_i64(length_limit(schema, property)?),
        (_, "maxItems") => as_i64(items_limit(schema, property, action_fields)?),
        ("year", "maximum") => i64::from(YEAR_MAX),
        ("year", "minimum") => i64::from(YEAR_MIN),
        ("progress", "maximum") => i64::from(PROGRESS_MAX),
        ("likelihood" | "impact", "maximum") => i64::from(SCORE_MAX),
        // a maturity level, a target, a gap or a change on the self-evaluation's scale
        ("score" | "target" | "gap" | "previous" | "change" | "level" | "top_level", "maximum")
            if [
                "MaturityLevel",
                "ScoreInput",
                "ThemeScore",
                "ThemeTrend",
                "Trend",
                "YearScore",
            ]
            .contains(&schema) =>
        {
            i64::from(MATURITY_LEVEL_MAX)
        }
        ("score", "maximum") => i64::from(SCORE_MAX * SCORE_MAX),
        ("number", "maximum") if schema == "Theme" || schema == "ThemeTrend" => {
            as_i64(THEMES_MAX) - 1
        }
        _ => return None,
    })
}

#[test]
fn every_limit_in_the_contract_is_a_constant_of_api_limits() {
    let api = committed();
    let action_fields = api["components"]["schemas"]["Action"]["properties"]
        .as_object()
        .unwrap()
        .len() as u64;
    let mut checked = 0;
    for (schema, body) in api["components"]["schemas"].as_object().unwrap() {
        let Some(properties) = body["properties"].as_object() else {
            continue;
        };
        for (property, rules) in properties {
            for keyword in ["maxLength", "maxItems", "maximum"] {
                let Some(stated) = rules[keyword].as_i64() else {
                    continue;
                };
                // an integer without a limit of its own is bounded by its type
                let by_type = match rules["format"].as_str() {
                    Some("int32") => i64::from(i32::MAX),
                    Some("int64") => i64::MAX,
                    _ => 0,
                };
                // a time is at most RFC 3339 with nanoseconds and an offset
                let by_format = match rules["format"].as_str() {
                    Some("date-time") => 35,
                    Some("date") => 10,
                    _ => 0,
                };
                if (keyword == "maximum" && stated == by_type)
                    || (keyword == "maxLength" && stated == by_format)
                {
                    continue;
                }
                let expected = expected_limit(schema, property, keyword, action_fields)
                    .unwrap_or_else(|| {
                        panic!("{schema}.{property} states {keyword} {stated}: which limit is it?")
                    });
                assert_eq!(stated, expected, "{schema}.{property} {keyword}");
                checked += 1;
            }
            if let Some(stated) = rules["minimum"].as_i64().filter(|_| property == "year") {
                assert_eq!(
                    Some(stated),
                    expected_limit(schema, property, "minimum", action_fields)
                );
            }
        }
    }
    assert!(checked > 50, "only {checked} limits found");
    let limit = &api["paths"]["/api/v1/actions"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .expect("the list takes a limit")["schema"];
    assert_eq!(
        limit["maximum"].as_i64(),
        Some(voortgang::api::limits::PAGE_MAX)
    );
    for list in ["/api/v1/actions", "/api/v1/risks"] {
        let q = &api["paths"][list]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "q")
            .expect("the list searches")["schema"];
        let q_max = i64::try_from(voortgang::api::limits::Q_MAX).unwrap();
        assert_eq!(q["maxLength"].as_i64(), Some(q_max), "{list}");
    }
}

#[test]
fn the_migrations_cite_the_limits_they_enforce() {
    use voortgang::api::limits::*;
    let constants: &[(&str, i64)] = &[
        ("SLUG_MAX", SLUG_MAX as i64),
        ("NAME_MAX", NAME_MAX as i64),
        ("DOMAIN_DESCRIPTION_MAX", DOMAIN_DESCRIPTION_MAX as i64),
        ("CRITERION_MAX", CRITERION_MAX as i64),
        ("TITLE_MAX", TITLE_MAX as i64),
        ("DESCRIPTION_MAX", DESCRIPTION_MAX as i64),
        ("NOTE_MAX", NOTE_MAX as i64),
        ("REF_MAX", REF_MAX as i64),
        ("TOKEN_NAME_MAX", TOKEN_NAME_MAX as i64),
        ("URL_MAX", URL_MAX as i64),
        ("EVIDENCE_LINKS_MAX", EVIDENCE_LINKS_MAX as i64),
        ("MATURITY_LEVEL_MAX", i64::from(MATURITY_LEVEL_MAX)),
        ("INTRODUCTION_MAX", INTRODUCTION_MAX as i64),
        ("YEAR_MAX", i64::from(YEAR_MAX)),
        ("PROGRESS_MAX", i64::from(PROGRESS_MAX)),
        ("SCORE_MAX", i64::from(SCORE_MAX)),
        ("EVENT_TYPES_MAX", EVENT_TYPES_MAX as i64),
    ];
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    let mut cited = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let up = entry.unwrap().path().join("up.sql");
        let Ok(sql) = std::fs::read_to_string(&up) else {
            continue;
        };
        for line in sql.lines() {
            let Some((code, comment)) = line.split_once("-- limits::") else {
                continue;
            };
            let name: String = comment
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                .collect();
            let (_, value) = constants
                .iter()
                .find(|(constant, _)| *constant == name)
                .unwrap_or_else(|| panic!("{} cites an unknown limit: {line}", up.display()));
            assert!(
                code.contains(&value.to_string()),
                "{}: `{line}` cites {name} = {value}",
                up.display()
            );
            cited.insert(name);
        }
    }
    for (constant, _) in constants {
        assert!(cited.contains(*constant), "no migration cites {constant}");
    }
}

#[test]
fn the_contract_states_what_third_party_tools_ask_for() {
    let api = generated();
    // a server, with its audience and environment
    let server = &api["servers"][0];
    assert_eq!(server["url"], "/");
    assert_eq!(server["x-internal"], true);
    // lists and report sections name their item schema instead of repeating it
    for (name, schema) in api["components"]["schemas"].as_object().unwrap() {
        if name.starts_with("Page_") || name.starts_with("Section_") {
            let items = &schema["properties"]["items"]["items"];
            assert!(
                items["$ref"].is_string(),
                "{name} repeats its items: {items}"
            );
        }
    }
    for (method, path, operation) in operations(&api) {
        let id = format!("{method} {path}");
        let role = &operation["x-required-role"];
        if path.starts_with("/api/v1") {
            // the role is an extension and said in words, not an OAuth scope
            let role = role.as_str().unwrap_or_else(|| panic!("{id} has no role"));
            for requirement in operation["security"].as_array().unwrap() {
                for scopes in requirement.as_object().unwrap().values() {
                    assert_eq!(scopes, &Value::Array(Vec::new()), "{id}");
                }
            }
            let description = operation["description"].as_str().unwrap();
            assert!(description.contains(&format!("`{role}` role")), "{id}");
            let unauthorized = &operation["responses"]["401"]["headers"];
            assert!(unauthorized["WWW-Authenticate"].is_object(), "{id}");
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('2') || status.starts_with('4') {
                    assert!(
                        response["headers"]["RateLimit"].is_object(),
                        "{id} {status}"
                    );
                }
            }
        } else {
            assert!(role.is_null(), "{id}");
            assert_eq!(operation["security"], Value::Array(Vec::new()), "{id}");
        }
        // every string and integer parameter is bounded
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let schema = &parameter["schema"];
            let name = &parameter["name"];
            match schema["type"].as_str() {
                Some("string") => assert!(
                    schema["maxLength"].is_u64() || schema["enum"].is_array(),
                    "{id} {name}"
                ),
                Some("integer") => assert!(
                    schema["minimum"].is_i64() && schema["maximum"].is_i64(),
                    "{id} {name}"
                ),
                _ => {}
            }
        }
    }
    // the sort orders and export tables are the ones the service takes
    let sort = api["paths"]["/api/v1/actions"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "sort")
        .unwrap();
    assert!(sort["schema"]["enum"]
        .as_array()
        .unwrap()
        .contains(&Value::from("-updated_at")));
}
