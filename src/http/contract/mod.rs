//! The OpenAPI document: its header, and the error responses and conditional-request headers
//! every operation shares, added in one place instead of on each handler; [`publish`] makes
//! the document that is served and committed.

mod publish;

pub use publish::{items_limit, length_limit, publish};

use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{HttpMethod, Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, OpenApi, Ref, RefOr, Required, Response, ResponseBuilder,
};
use utoipa::OpenApi as _;

use crate::auth;
use crate::error::{FieldError, Problem, PROBLEM_JSON};
use crate::reports::dto::ReportAction;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "voortgang",
        description = "System of record for internal control (organisatiebeheersing) in Flemish local government: \
control domains with their criteria, departments, the Leidraad themes, risks and actions with their \
status across years, the audit trail, and the yearly progress report (voortgangsrapport).\n\n\
Authentication: `Authorization: Bearer <token>` (or Basic with the token as password); press Authorize. \
Readers read, editors change their departments' risks and actions, reviewers (the internal-control coordinator) change every department's, run the yearly cycle and review its answers, admins do everything.\n\n\
Conventions: JSON with snake_case keys; errors are `application/problem+json` (RFC 9457); lists return \
`{items, next_cursor, next}` with an opaque keyset cursor; single resources carry an `ETag`, and \
`If-Match` on PUT, PATCH or DELETE answers 412 when stale; PATCH takes JSON Merge Patch \
(`application/merge-patch+json`).",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2")
    ),
    tags(
        (name = "domains", description = "Control domains (beheersdomeinen) and their criteria (Detail criterium)."),
        (name = "departments", description = "Departments (diensten): owners of risks and actions."),
        (name = "risks", description = "High risks to follow up (op te volgen hoge risico's) and their assessment per year."),
        (name = "actions", description = "Actions (maatregelen) and their status per year: realisations and planning of the reports."),
        (name = "reports", description = "The yearly progress report (voortgangsrapport): metadata and the report assembled from the data."),
        (name = "exports", description = "A star schema for PowerBI: dimensions, facts and bridges as JSON pages or streamed CSV, with incremental refresh."),
        (name = "audits", description = "The register of audits the organisation underwent (Audit Vlaanderen, internal audit, external auditors): what they concerned and the actions that follow from them."),
        (name = "recommendations", description = "The recommendations of audits, what became of each per year, and their follow-up in Audit Vlaanderen's categories."),
        (name = "audit", description = "The audit trail: every write with who, when, and the entity before and after. Append-only."),
        (name = "tokens", description = "API tokens (admins only). Authenticate with `Authorization: Bearer <secret>`, or Basic with any user name and the secret as password."),
        (name = "webhooks", description = "Subscriptions of other systems (the intranet) to events, signed in the Standard Webhooks format and delivered at least once, in order per subscription (admins only); the deliveries and their redelivery."),
        (name = "themes", description = "The themes 0-10 of Audit Vlaanderen's Leidraad organisatiebeheersing (read-only)."),
        (name = "health", description = "Probes for orchestrators and load balancers.")
    ),
    components(schemas(Problem, FieldError, ReportAction))
)]
pub struct ApiDoc;

/// The document's header, before the handlers' paths are added.
pub fn base() -> OpenApi {
    let mut api = ApiDoc::openapi();
    api.info.version = env!("CARGO_PKG_VERSION").to_string();
    api
}

/// Adds the security schemes, each operation's requirement (from [`auth::required_role`]),
/// and the shared error responses and headers to every operation that can produce them.
pub fn finish(mut api: OpenApi) -> OpenApi {
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("An API token: `Authorization: Bearer <secret>`."))
                .build(),
        ),
    );
    components.add_security_scheme(
        "basic",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Basic)
                .description(Some(
                    "Any user name with an API token as password (PowerBI's Web connector).",
                ))
                .build(),
        ),
    );
    add_links(&mut api);
    for (path, item) in api.paths.paths.iter_mut() {
        let has_id = path.contains('{');
        let is_api = path.starts_with("/api/");
        for (method, operation) in [
            (HttpMethod::Get, item.get.as_mut()),
            (HttpMethod::Post, item.post.as_mut()),
            (HttpMethod::Put, item.put.as_mut()),
            (HttpMethod::Patch, item.patch.as_mut()),
            (HttpMethod::Delete, item.delete.as_mut()),
        ] {
            let Some(operation) = operation else { continue };
            if let Some(role) = auth::required_role(&actix_method(&method), path) {
                // the role is not an OAuth scope: it goes in an extension and the description
                let none: [&str; 0] = [];
                operation.security = Some(vec![
                    SecurityRequirement::new("bearer", none),
                    SecurityRequirement::new("basic", none),
                ]);
                let mut required = Extensions::default();
                required.insert("x-required-role".into(), role.as_str().into());
                operation
                    .extensions
                    .get_or_insert_with(Extensions::default)
                    .merge(required);
                let needs = format!("Requires the `{}` role (or higher).", role.as_str());
                operation.description = Some(match operation.description.take() {
                    Some(text) if !text.is_empty() => format!("{text}\n\n{needs}"),
                    _ => needs,
                });
                add(operation, "401", "No valid token: missing, unknown, revoked or expired (`WWW-Authenticate` lists the schemes).");
                add(
                    operation,
                    "403",
                    "The token's role or departments do not allow this.",
                );
                operation
                    .responses
                    .responses
                    .entry("429".into())
                    .or_insert_with(|| with_retry_after("Too many requests for this token, too many of its expensive requests (searches, reports, exports) in progress at once, or too many failed authentications from this address; retry after `Retry-After` seconds."));
            } else {
                // public: no credentials needed
                operation.security = Some(Vec::new());
                add(
                    operation,
                    "400",
                    "The request URI is malformed (e.g. a NUL byte).",
                );
            }
            if is_api {
                shared_responses(operation, &method, has_id);
                entity_headers(operation, &method, path);
                if touches_adopted_years(&method, path) {
                    const ADOPTED: &str = "The report of the year is adopted, which locks that year's assessments, statuses and report metadata.";
                    match operation.responses.responses.get_mut("409") {
                        Some(RefOr::T(response)) => {
                            response.description =
                                format!("{} Or: {ADOPTED}", response.description);
                        }
                        _ => add(operation, "409", ADOPTED),
                    }
                }
            }
        }
    }
    api
}

/// OpenAPI links from what a write answers to the operations on the resource it created or
/// changed, so a client (or a stateful fuzzer) can follow create, read, change and delete: the
/// 201 of `POST /x` leads to the operations of `/x/{id}` with the new `id` from the body, and
/// the answer of `PUT /x/{key}` to the other operations of the same path.
fn add_links(api: &mut OpenApi) {
    let mut planned = Vec::new();
    for (path, item) in &api.paths.paths {
        if item.post.is_some() {
            let child = api.paths.paths.iter().find(|(other, _)| {
                other
                    .strip_prefix(path.as_str())
                    .and_then(|rest| rest.strip_prefix("/{"))
                    .is_some_and(|rest| rest.ends_with('}') && !rest.contains('/'))
            });
            if let Some((child_path, child_item)) = child {
                let names = path_parameters(child_path);
                let values: Vec<(String, String)> = names
                    .iter()
                    .enumerate()
                    .map(|(i, name)| {
                        let value = if i + 1 == names.len() {
                            "$response.body#/id".to_string()
                        } else {
                            format!("$request.path.{name}")
                        };
                        (name.clone(), value)
                    })
                    .collect();
                for target in linkable(child_item, false) {
                    planned.push((path.clone(), HttpMethod::Post, target, values.clone()));
                }
            }
        }
        if item.put.is_some() && path.contains('{') {
            let values: Vec<(String, String)> = path_parameters(path)
                .into_iter()
                .map(|name| {
                    let value = format!("$request.path.{name}");
                    (name, value)
                })
                .collect();
            for target in linkable(item, true) {
                planned.push((path.clone(), HttpMethod::Put, target, values.clone()));
            }
        }
    }
    for (path, method, target, values) in planned {
        let item = api
            .paths
            .paths
            .get_mut(&path)
            .expect("planned from this path");
        let operation = match method {
            HttpMethod::Post => item.post.as_mut(),
            _ => item.put.as_mut(),
        };
        let Some(operation) = operation else { continue };
        for (status, response) in operation.responses.responses.iter_mut() {
            let RefOr::T(response) = response else {
                continue;
            };
            if !matches!(status.as_str(), "200" | "201") {
                continue;
            }
            // utoipa 5 writes the link's `operationId` as `operation_id`, which no OpenAPI
            // tool reads; the field goes in under its proper name instead
            let mut spelled = Extensions::default();
            spelled.insert("operationId".into(), target.clone().into());
            let mut link = LinkBuilder::new()
                .extensions(Some(spelled))
                .description(format!("`{target}` on the resource of this answer."));
            for (name, value) in &values {
                link = link.parameter(name.clone(), value.clone());
            }
            response
                .links
                .insert(link_name(&target), RefOr::T(link.build()));
        }
    }
}

/// The operation ids of a path's GET, PATCH, DELETE (and PUT unless `without_put`).
fn linkable(item: &utoipa::openapi::PathItem, without_put: bool) -> Vec<String> {
    let put = if without_put { None } else { item.put.as_ref() };
    [
        item.get.as_ref(),
        put,
        item.patch.as_ref(),
        item.delete.as_ref(),
    ]
    .into_iter()
    .flatten()
    .filter_map(|operation| operation.operation_id.clone())
    .collect()
}

fn path_parameters(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_string)
        .collect()
}

/// `get_action` -> `GetAction`, the usual spelling of a link's name.
fn link_name(operation_id: &str) -> String {
    operation_id
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// Whether a write can change assessments, statuses or report metadata, which adoption
/// locks.
fn touches_adopted_years(method: &HttpMethod, path: &str) -> bool {
    if matches!(method, HttpMethod::Get | HttpMethod::Head) {
        return false;
    }
    let Some(path) = path.strip_prefix("/api/v1") else {
        return false;
    };
    path.contains("/statuses")
        || path.contains("/assessments")
        || path.starts_with("/actions/by-ref")
        || path == "/actions/batch"
        || path == "/reports/{year}"
        || (matches!(method, HttpMethod::Delete)
            && (path == "/actions/{id}" || path == "/risks/{id}"))
}

fn actix_method(method: &HttpMethod) -> actix_web::http::Method {
    use actix_web::http::Method;
    match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Trace => Method::TRACE,
    }
}

fn shared_responses(operation: &mut Operation, method: &HttpMethod, has_id: bool) {
    let writes = matches!(
        method,
        HttpMethod::Put | HttpMethod::Patch | HttpMethod::Delete
    );
    add(operation, "400", "The query, path or body is malformed (e.g. `limit` out of range, an invalid cursor, broken JSON).");
    if has_id {
        add(operation, "404", "The resource does not exist.");
    }
    if operation.request_body.is_some() {
        add(operation, "413", "The request body is too large.");
        add(
            operation,
            "415",
            "The Content-Type is not the one the operation takes.",
        );
        add(
            operation,
            "422",
            "The body is well-formed but invalid; `errors` lists each field.",
        );
    }
    if writes && has_id {
        add(
            operation,
            "412",
            "`If-Match` does not match the current entity tag.",
        );
        header_parameter(operation, "If-Match", "Entity tag from a previous read; the write is refused with 412 when the resource changed since.");
    }
    if matches!(method, HttpMethod::Get) && has_id {
        header_parameter(
            operation,
            "If-None-Match",
            "Entity tag from a previous read; answers 304 without a body when unchanged.",
        );
    }
    add(
        operation,
        "500",
        "An unexpected error; details are in the service log, not in the response.",
    );
    let unavailable =
        with_retry_after("The database is unavailable or busy; retry after `Retry-After` seconds.");
    operation
        .responses
        .responses
        .entry("503".into())
        .or_insert(unavailable);
}

/// The headers of the resource an operation answers, by the rule `api::respond` follows: a
/// read, replacement or change of one resource (a path that ends in its key, other than an
/// export's page) answers with its `ETag`, and a read answers 304 to a matching
/// `If-None-Match`; a create (201) answers with `Location` and `ETag`. Handlers declare only
/// what differs (a report's document, an adoption).
fn entity_headers(operation: &mut Operation, method: &HttpMethod, path: &str) {
    let one = path.ends_with('}') && !path.starts_with("/api/v1/exports/");
    let read = matches!(method, HttpMethod::Get);
    let answers_one = one && (read || matches!(method, HttpMethod::Put | HttpMethod::Patch));
    let responses = &mut operation.responses.responses;
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let tagged = match status.as_str() {
            "201" => {
                response
                    .headers
                    .entry("Location".into())
                    .or_insert_with(|| header("Address of the created resource."));
                true
            }
            "200" => answers_one,
            _ => false,
        };
        if tagged {
            response
                .headers
                .entry("ETag".into())
                .or_insert_with(|| header("Entity tag of the representation."));
        }
    }
    if one && read && responses.contains_key("200") {
        responses.entry("304".into()).or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description("Unchanged since the `If-None-Match` entity tag.")
                    .build(),
            )
        });
    }
}

fn header(description: &str) -> utoipa::openapi::Header {
    HeaderBuilder::new()
        .schema(utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String))
        .description(Some(description))
        .build()
}

/// A problem response that carries `Retry-After`.
fn with_retry_after(description: &str) -> RefOr<Response> {
    match problem(description) {
        RefOr::T(response) => {
            let mut response = response;
            response.headers.insert(
                "Retry-After".into(),
                HeaderBuilder::new()
                    .schema(
                        utoipa::openapi::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::Type::Integer),
                    )
                    .description(Some("Seconds to wait before retrying."))
                    .build(),
            );
            RefOr::T(response)
        }
        other => other,
    }
}

fn add(operation: &mut Operation, status: &str, description: &str) {
    operation
        .responses
        .responses
        .entry(status.into())
        .or_insert_with(|| problem(description));
}

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

fn header_parameter(operation: &mut Operation, name: &str, description: &str) {
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    if parameters.iter().any(|p| p.name == name) {
        return;
    }
    parameters.push(
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(description))
            .schema(Some(
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::Type::String)
                    .examples([serde_json::json!("\"3f2a9c1e0b7d4a6c8e5f1a2b3c4d5e6f\"")]),
            ))
            .build(),
    );
}
