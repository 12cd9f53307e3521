//! The OpenAPI document: its header, and the error responses and conditional-request headers
//! every operation shares, added in one place instead of on each handler.

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
Readers read, editors change their departments' risks and actions, admins do everything.\n\n\
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
        (name = "audit", description = "The audit trail: every write with who, when, and the entity before and after. Append-only."),
        (name = "tokens", description = "API tokens (admins only). Authenticate with `Authorization: Bearer <secret>`, or Basic with any user name and the secret as password."),
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
                let roles = [role.as_str()];
                operation.security = Some(vec![
                    SecurityRequirement::new("bearer", roles),
                    SecurityRequirement::new("basic", roles),
                ]);
                add(operation, "401", "No valid token: missing, unknown, revoked or expired (`WWW-Authenticate` lists the schemes).");
                add(
                    operation,
                    "403",
                    "The token's role or departments do not allow this.",
                );
            }
            if is_api {
                shared_responses(operation, &method, has_id);
            }
        }
    }
    api
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
        problem("The database is unavailable or busy; retry after `Retry-After` seconds.");
    let unavailable = match unavailable {
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
    };
    operation
        .responses
        .responses
        .entry("503".into())
        .or_insert(unavailable);
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
