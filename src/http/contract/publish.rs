//! The published document: the generated contract made complete for the tools that read it
//! (Spectral with the OWASP API Security ruleset, Redocly, client generators). It states the
//! server, refers to named schemas instead of repeating them, declares the headers every
//! response can carry, and bounds every string, integer and array with the limits the service
//! enforces (`api::limits`), so a generated client or a gateway can check input before sending
//! it.

use serde_json::{json, Map, Value};

use crate::api::limits::*;
use crate::api::listing::SORTS;
use crate::api::validate::{SLUG_PATTERN, THEME_CODE_PATTERN};
use crate::error::CHALLENGE;
use crate::exports::tables::TABLES;

/// The contract as served at `/api-docs/openapi.json` and committed in `openapi/openapi.json`.
pub fn publish(api: &utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(api).expect("the contract serialises");
    doc["servers"] = json!([{
        "url": "/",
        "description": "The service that serves this document (production, staging or a local run): its own origin.",
        "x-internal": true
    }]);
    refer_to_named_items(&mut doc);
    shared_headers(&mut doc);
    let schemas: Vec<String> = doc["components"]["schemas"]
        .as_object()
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    // one change per field of an action, at most
    let action_fields = doc
        .pointer("/components/schemas/Action/properties")
        .and_then(Value::as_object)
        .map_or(0, Map::len) as u64;
    for name in schemas {
        bound(
            &mut doc["components"]["schemas"][&name],
            &name,
            "",
            action_fields,
        );
    }
    // a workbook sent back is refused above this size (`office::read`)
    set_default(
        &mut doc["components"]["schemas"]["WorkbookUpload"],
        "maxLength",
        json!(WORKBOOK_BYTES_MAX),
    );
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            for operation in item
                .as_object_mut()
                .into_iter()
                .flat_map(|o| o.values_mut())
            {
                bound_operation(operation);
            }
        }
    }
    doc
}

/// The most items an array in the answer of the operation `operation_id` holds.
fn answer_items(operation_id: &str) -> Option<u64> {
    match operation_id {
        // one per year
        "list_reports"
        | "list_risk_assessments"
        | "list_action_statuses"
        | "list_recommendation_statuses" => Some(YEARS_COUNT),
        "list_exports" => Some(TABLES.len() as u64),
        _ => None,
    }
}

/// `Page_Domain.items` and `Section_ReportRisk.items` name `Domain` and `ReportRisk` instead of
/// repeating them, so client generators make one model per entity (`list_domains()` returns
/// `Domain`s). An inline schema equal to the named one is replaced by a reference; one without
/// a named schema becomes it.
fn refer_to_named_items(doc: &mut Value) {
    let Some(schemas) = doc["components"]["schemas"].as_object_mut() else {
        return;
    };
    let names: Vec<String> = schemas.keys().cloned().collect();
    for name in names {
        let Some((_, item)) = name.split_once('_') else {
            continue;
        };
        let named = schemas.get(item).cloned();
        let Some(inline) = schemas
            .get_mut(&name)
            .and_then(|page| page.pointer_mut("/properties/items/items"))
        else {
            continue;
        };
        if inline.get("$ref").is_some() || named.as_ref().is_some_and(|named| named != inline) {
            continue;
        }
        let schema = std::mem::replace(
            inline,
            json!({"$ref": format!("#/components/schemas/{item}")}),
        );
        if named.is_none() {
            schemas.insert(item.to_string(), schema);
        }
    }
}

/// The response headers the service sends, declared once in `components.headers`.
fn shared_headers(doc: &mut Value) {
    doc["components"]["headers"] = json!({
        "RateLimit": {
            "description": "What is left of this token's request quota (draft-ietf-httpapi-ratelimit-headers): `r` requests remain, and the quota is full again in `t` seconds.",
            "schema": {"type": "string", "maxLength": 100, "pattern": "^\"per-token\";r=[0-9]+;t=[0-9]+$"},
            "example": "\"per-token\";r=5987;t=1"
        },
        "RateLimit-Policy": {
            "description": "The request quota per token: `q` requests per window of `w` seconds, bursts as large (`VOORTGANG_RATE_LIMIT`).",
            "schema": {"type": "string", "maxLength": 100, "pattern": "^\"per-token\";q=[0-9]+;w=60$"},
            "example": "\"per-token\";q=6000;w=60"
        },
        "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "schema": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 60},
            "example": 5
        },
        "Access-Control-Allow-Origin": {
            "description": "The calling page's origin, when it is one of `VOORTGANG_CORS_ORIGINS` (never `*`); absent otherwise.",
            "schema": {"type": "string", "format": "uri", "maxLength": URL_MAX},
            "example": "https://intranet.mechelen.be"
        },
        "ETag": {
            "description": "Entity tag of the representation: send it as `If-Match` to write only if unchanged, or `If-None-Match` to read only if changed.",
            "schema": {"type": "string", "maxLength": ETAG_MAX, "pattern": "^\"[0-9a-f]{32,64}(-[a-z]+)?\"$"},
            "example": "\"3f2a9c1e0b7d4a6c8e5f1a2b3c4d5e6f\""
        },
        "Location": {
            "description": "The path of the created resource.",
            "schema": {"type": "string", "format": "uri-reference", "maxLength": LINK_MAX},
            "example": "/api/v1/actions/12"
        },
        "WWW-Authenticate": {
            "description": "The schemes the service accepts: Bearer and Basic.",
            "schema": {"type": "string", "maxLength": 100, "enum": [CHALLENGE]}
        }
    });
}

fn header_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/headers/{name}")})
}

/// Declares each response's headers and bounds the operation's parameters and bodies.
fn bound_operation(operation: &mut Value) {
    let rate_limited = operation.get("x-required-role").is_some();
    let answer_max = operation["operationId"].as_str().and_then(answer_items);
    if let Some(parameters) = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
    {
        for parameter in parameters {
            let name = parameter["name"].as_str().unwrap_or_default().to_string();
            let filter = parameter["in"] == "query";
            if let Some(schema) = parameter.get_mut("schema") {
                bound_parameter(schema, &name, filter);
            }
        }
    }
    if let Some(content) = operation
        .pointer_mut("/requestBody/content")
        .and_then(Value::as_object_mut)
    {
        for media in content.values_mut().filter_map(|m| m.get_mut("schema")) {
            bound(media, "", "", 0);
        }
    }
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else {
            continue;
        };
        let headers = response
            .entry("headers")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(headers) = headers.as_object_mut() else {
            continue;
        };
        for shared in ["Retry-After", "ETag", "Location"] {
            if headers.contains_key(shared) {
                headers.insert(shared.into(), header_ref(shared));
            }
        }
        if status == "401" {
            headers.insert("WWW-Authenticate".into(), header_ref("WWW-Authenticate"));
        }
        if rate_limited && (status.starts_with('2') || status.starts_with('4')) {
            headers.insert("RateLimit".into(), header_ref("RateLimit"));
            headers.insert("RateLimit-Policy".into(), header_ref("RateLimit-Policy"));
        }
        headers.insert(
            "Access-Control-Allow-Origin".into(),
            header_ref("Access-Control-Allow-Origin"),
        );
        if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
            for media in content.values_mut().filter_map(|m| m.get_mut("schema")) {
                if let (Some(max), true) = (answer_max, is_type(media, "array")) {
                    set_default(media, "maxItems", json!(max));
                }
                bound(media, "", "", 0);
            }
        }
    }
}

/// Bounds a parameter by its name: ids are positive, slugs and keys as long as the service
/// takes them.
/// A query `filter` that names nothing finds nothing (200, an empty page), so it states no
/// form, only its length.
fn bound_parameter(schema: &mut Value, name: &str, filter: bool) {
    // a parameter is absent or has a value, never null
    if let Some(types) = schema["type"].as_array() {
        let present: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if let [only] = present.as_slice() {
            schema["type"] = only.clone();
        }
    }
    if is_type(schema, "integer") && (name == "id" || name.ends_with("_id")) {
        set_default(schema, "minimum", json!(1));
    }
    let length = match name {
        "cursor" => Some(CURSOR_MAX),
        "If-Match" | "If-None-Match" => Some(ETAG_MAX),
        "Idempotency-Key" => Some(IDEMPOTENCY_KEY_MAX),
        "actor" => Some(TOKEN_NAME_MAX),
        "entity_id" => Some(ENTITY_ID_MAX),
        "external_ref" => Some(REF_MAX),
        "q" => Some(Q_MAX),
        _ => None,
    };
    if let Some(length) = length {
        if is_type(schema, "string") {
            set_default(schema, "maxLength", json!(length));
        }
    }
    let choices: Option<Vec<&str>> = match name {
        "sort" => Some(SORTS.split(", ").collect()),
        "table" => Some(TABLES.iter().map(|t| t.name).collect()),
        _ => None,
    };
    if let Some(choices) = choices {
        set_default(schema, "enum", json!(choices));
    }
    if filter {
        if let Some(max) = length_limit("", name).filter(|_| is_type(schema, "string")) {
            set_default(schema, "maxLength", json!(max));
        }
        bound(schema, "", "", 0);
    } else {
        bound(schema, "", name, 0);
    }
}

fn is_type(schema: &Value, wanted: &str) -> bool {
    match &schema["type"] {
        Value::String(t) => t == wanted,
        Value::Array(types) => types.iter().any(|t| t == wanted),
        _ => false,
    }
}

fn set_default(schema: &mut Value, keyword: &str, value: Value) {
    if let Some(schema) = schema.as_object_mut() {
        schema.entry(keyword).or_insert(value);
    }
}

/// The input properties the service holds to one line (`api::validate::single_line`), so the
/// contract says it with [`ONE_LINE`] and clients (and fuzzers) need not learn it from 422s.
const SINGLE_LINE: &[(&str, &[&str])] = &[
    ("NewAction", &["external_ref", "title", "plan_ref"]),
    ("ActionPatch", &["external_ref", "title", "plan_ref"]),
    ("ActionUpsert", &["external_ref", "title", "plan_ref"]),
    ("NewRisk", &["title"]),
    ("RiskPatch", &["title"]),
    ("NewDomain", &["name"]),
    ("DomainPatch", &["name"]),
    ("NewDepartment", &["name"]),
    ("DepartmentPatch", &["name"]),
    ("ReportYearInput", &["title", "presented_to"]),
    ("NewToken", &["name"]),
];

/// The example of a `created_at` or `updated_at`.
const WRITTEN_AT: &str = "2023-06-06T09:00:00Z";

/// One line: no control characters (Unicode category Cc) and no direction overrides.
const ONE_LINE: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$";

/// The longest a string property of `schema` named `property` can be, by what it holds: the
/// one table the contract's `maxLength`s come from (the validator's literals must agree).
pub fn length_limit(schema: &str, property: &str) -> Option<u64> {
    Some(match property {
        "title" | "presented_to" | "label" | "auditor_name" | "reference" | "audit_title" => {
            TITLE_MAX
        }
        "description" if schema.contains("Domain") => DOMAIN_DESCRIPTION_MAX,
        "description" if schema.contains("Webhook") => TITLE_MAX,
        "description" => DESCRIPTION_MAX,
        "name" | "actor" if schema.contains("Token") || property == "actor" => TOKEN_NAME_MAX,
        "name" | "criteria" | "planning" | "realisations" | "risks" | "status" | "key" => NAME_MAX,
        // a recommendation says as much as a note; a criterion is shorter
        "text" if schema.contains("Recommendation") => NOTE_MAX,
        "text" => CRITERION_MAX,
        "note" | "review_note" | "method" | "participants" | "reasoning" | "evidence" => NOTE_MAX,
        "internal_control" => DESCRIPTION_MAX,
        "theme_name" | "level" | "cycle_phase" => NAME_MAX,
        "evidence_urls" => URL_MAX,
        "accepted_by" | "submitted_by" | "reviewed_by" => TOKEN_NAME_MAX,
        "external_ref" | "plan_ref" => REF_MAX,
        "id" | "department_id" | "domain_id" | "department_ids" | "domain_ids" | "code"
        | "theme_codes" | "theme" | "theme_code" => SLUG_MAX,
        "decision_url" | "report_url" | "type" | "url" => URL_MAX,
        "message_id" => MESSAGE_ID_MAX,
        "last_error" => MESSAGE_MAX,
        "href" | "next" | "answer" => LINK_MAX,
        "next_cursor" | "cursor" => CURSOR_MAX,
        "introduction" => INTRODUCTION_MAX,
        "entity_id" => ENTITY_ID_MAX,
        "request_id" => REQUEST_ID_MAX,
        "detail" | "message" => MESSAGE_MAX,
        "field" => FIELD_MAX,
        "secret" => SECRET_MAX,
        "sha256" => 64,
        _ => return None,
    })
}

/// Fills in the bounds a schema lacks, recursively: integers get a format and their range
/// (every integer of this API is a count, an id, a year or a score, none negative), strings of
/// a known format or property their longest, arrays of a known property their most items.
/// What is left unbounded is for the linters to find.
fn bound(schema: &mut Value, owner: &str, property: &str, action_fields: u64) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if object.contains_key("$ref") {
        return;
    }
    if let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, child) in properties.iter_mut() {
            bound(child, owner, name, action_fields);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = object.get_mut(key) {
            bound(child, owner, property, action_fields);
        }
    }
    if let Some(names) = object.get_mut("propertyNames") {
        bound(names, owner, "field", action_fields);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(children) = object.get_mut(key).and_then(Value::as_array_mut) {
            for child in children {
                bound(child, owner, property, action_fields);
            }
        }
    }
    let schema = Value::Object(object.clone());
    if is_type(&schema, "integer") {
        if property == "year" {
            object.entry("minimum").or_insert(json!(YEAR_MIN));
            object.entry("maximum").or_insert(json!(YEAR_MAX));
        }
        object.entry("format").or_insert(json!("int32"));
        // ids are sequences from 1; everything else counts from 0
        let id = property == "id" || property.ends_with("_id") || property.ends_with("_ids");
        object
            .entry("minimum")
            .or_insert(json!(if id { 1 } else { 0 }));
        let maximum = if object["format"] == "int64" {
            json!(i64::MAX)
        } else {
            json!(i32::MAX)
        };
        object.entry("maximum").or_insert(maximum);
    }
    let one_line = SINGLE_LINE
        .iter()
        .any(|(name, properties)| *name == owner && properties.contains(&property));
    if one_line && is_type(&schema, "string") {
        object.entry("pattern").or_insert(json!(ONE_LINE));
    }
    // the form of a reference: what does not have it names nothing (422 in a body)
    let form = match property {
        "domain_id" | "department_id" | "domain_ids" | "department_ids" => Some(SLUG_PATTERN),
        "theme_codes" => Some(THEME_CODE_PATTERN),
        _ => None,
    };
    if let (Some(form), true) = (form, is_type(&schema, "string")) {
        object.entry("pattern").or_insert(json!(form));
    }
    // when a resource was written: one example for all, unless a field shows its own
    if matches!(property, "created_at" | "updated_at")
        && object.get("format") == Some(&json!("date-time"))
    {
        object.entry("example").or_insert(json!(WRITTEN_AT));
    }
    if is_type(&schema, "string")
        && !object.contains_key("maxLength")
        && !object.contains_key("enum")
        && !object.contains_key("const")
    {
        let by_format = match object.get("format").and_then(Value::as_str) {
            // RFC 3339 with nanoseconds and an offset: 35 characters
            Some("date-time") => Some(35),
            Some("date") => Some(10),
            _ => None,
        };
        if let Some(max) = by_format.or_else(|| length_limit(owner, property)) {
            object.insert("maxLength".into(), json!(max));
        }
    }
    if is_type(&schema, "array") && !object.contains_key("maxItems") {
        if let Some(max) = items_limit(owner, property, action_fields) {
            object.insert("maxItems".into(), json!(max));
        }
    }
}

/// The most items an array property of `schema` named `property` holds; `action_fields` is
/// the number of an action's fields (the most changes one upsert reports).
pub fn items_limit(schema: &str, property: &str, action_fields: u64) -> Option<u64> {
    let columns = TABLES.iter().map(|t| t.columns.len()).max().unwrap_or(0) as u64;
    Some(match property {
        "items" if schema.starts_with("Page_") => PAGE_MAX as u64,
        "items" if schema == "ExportPage" => EXPORT_PAGE_MAX as u64,
        "items" if schema.starts_with("Batch") => BATCH_MAX,
        "items" if schema == "ImportResult" => WORKLIST_ROWS_MAX as u64,
        "errors" => ERRORS_MAX,
        "changes" => action_fields,
        "key" | "columns" if schema == "ExportTable" => columns,
        "domain_ids" => DOMAINS_PER_ACTION,
        "risk_ids" => RISKS_PER_ACTION,
        "action_ids" => ACTIONS_PER_AUDIT,
        "theme_codes" | "scores" | "themes" => THEMES_MAX,
        "evidence_urls" => EVIDENCE_LINKS_MAX,
        "series" => YEARS_COUNT,
        "department_ids" => DEPARTMENTS_PER_TOKEN,
        "event_types" => EVENT_TYPES_MAX,
        // one per year
        "statuses" | "assessments" => YEARS_COUNT,
        _ => return None,
    })
}
