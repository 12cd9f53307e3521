//! Builds the App (routes, error handling, Swagger UI) and the OpenAPI document. Nothing here
//! needs a database connection.

pub mod auth;
pub mod bounds;
pub mod browser;
pub mod contract;
pub mod health;
pub mod limits;
pub mod request_id;
pub mod response_cache;

use std::net::TcpListener;
use std::time::Duration;

use actix_web::body::{self, EitherBody, MessageBody};
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::{from_fn, Compress, ErrorHandlerResponse, ErrorHandlers, Next};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use utoipa::openapi::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::actions::{statuses, upserts};
use crate::api::body::BodyTimeout;
use crate::db::Database;
use crate::domains::criteria;
use crate::error::{problem_response, ApiError, PROBLEM_JSON};
use crate::reports::cache::ReportCache;
use crate::risks::assessments;
use crate::{
    actions, audit, audits, departments, domains, exports, reports, risks, self_evaluations,
    themes, tokens, webhooks,
};
use auth::{authenticate, AuthSettings, TokenCache};
use browser::CorsOrigins;
use limits::{Limits, RateLimits};
use request_id::{loggable, RequestId};
use response_cache::ResponseCache;

/// Every route of the service; the OpenAPI paths are collected from the same calls.
fn register(cfg: &mut ServiceConfig) {
    cfg.configure(health::routes).service(
        scope("/api/v1")
            .configure(domains::routes)
            .configure(criteria::routes)
            .configure(departments::routes)
            .configure(themes::routes)
            .configure(risks::routes)
            .configure(assessments::routes)
            .configure(actions::routes)
            .configure(statuses::routes)
            .configure(upserts::routes)
            .configure(reports::routes)
            .configure(reports::cycle::routes)
            .configure(exports::routes)
            .configure(tokens::routes)
            .configure(audit::routes)
            .configure(audits::routes)
            .configure(audits::recommendations::routes)
            .configure(self_evaluations::routes)
            .configure(webhooks::routes),
    );
}

/// The operations of the service, as utoipa describes them: what requests are routed and
/// authorised by.
pub fn operations() -> OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(contract::base())
        .configure(register)
        .split_for_parts();
    contract::finish(api)
}

/// The OpenAPI document of the service, as it is served and committed.
pub fn openapi() -> serde_json::Value {
    contract::publish(&operations())
}

/// The application, as every worker runs it.
pub fn build(
    db: Database,
    api: OpenApi,
    auth: AuthSettings,
    shared: Shared,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let routes = web::Data::new(RouteTable::new(&api));
    App::new()
        .into_utoipa_app()
        .app_data(web::Data::new(db))
        .app_data(web::Data::new(auth))
        .app_data(shared.reports)
        .app_data(shared.responses)
        .app_data(shared.tokens)
        .app_data(shared.limits)
        .app_data(shared.cors)
        .app_data(shared.body_timeout)
        .app_data(shared.bounds)
        .app_data(shared.webhook_hosts)
        .app_data(routes)
        .app_data(web::PathConfig::default().error_handler(|err, req| {
            // `PATCH /actions/batch` reaches `PATCH /actions/{id}`: the literal path has no
            // PATCH, which is a 405, not an action that is not there
            let allowed = req
                .app_data::<web::Data<RouteTable>>()
                .map(|routes| routes.allowed(req.path()))
                .unwrap_or_default();
            if !allowed.is_empty() && !allowed.contains(req.method()) {
                return ApiError::MethodNotAllowed(allowed).into();
            }
            ApiError::NotFound(format!(
                "No resource at this address: {}.",
                path_problem(&err.to_string())
            ))
            .into()
        }))
        .app_data(web::QueryConfig::default().error_handler(|err, _| {
            ApiError::BadRequest(format!("Invalid query string: {err}.")).into()
        }))
        .configure(register)
        .into_app()
        .service(
            SwaggerUi::new("/swagger-ui/{_:.*}")
                .external_url_unchecked("/api-docs/openapi.json", (*shared.contract).clone()),
        )
        .default_service(web::to(no_route))
        .wrap(from_fn(response_cache::serve))
        .wrap(from_fn(authenticate))
        .wrap(from_fn(bounds::enforce))
        .wrap(from_fn(reject_nul_in_uri))
        .wrap(from_fn(browser::headers))
        .wrap(ErrorHandlers::new().default_handler(problem_fallback))
        .wrap(Compress::default())
        .wrap(from_fn(request_id::assign))
}

/// What all workers share.
#[derive(Clone)]
pub struct Shared {
    /// The rendered reports.
    pub reports: web::Data<ReportCache>,
    /// The kept responses.
    pub responses: web::Data<ResponseCache>,
    /// The principals of recently seen tokens.
    pub tokens: web::Data<TokenCache>,
    /// The rate limits.
    pub limits: web::Data<Limits>,
    /// The origins that may call the API from a browser.
    pub cors: web::Data<CorsOrigins>,
    /// How long a client may take to send a request body.
    pub body_timeout: web::Data<BodyTimeout>,
    /// The published OpenAPI document.
    pub contract: std::sync::Arc<serde_json::Value>,
    /// The longest values it allows for query and header parameters.
    pub bounds: web::Data<bounds::InputBounds>,
    /// The hosts webhooks may reach over `http` and on private addresses.
    pub webhook_hosts: web::Data<webhooks::target::AllowedHosts>,
}

/// How the HTTP server runs.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Worker threads; `None` uses one per physical core.
    pub workers: Option<usize>,
    /// How long a stop (SIGTERM) waits for requests in flight.
    pub shutdown_timeout: Duration,
    /// Whether SIGTERM and SIGINT stop the server (off for servers inside tests).
    pub handle_signals: bool,
    /// Who may read without a token.
    pub auth: AuthSettings,
    /// The origins that may call the API from a browser.
    pub cors_origins: Vec<String>,
    /// Requests and failed authentications allowed per minute.
    pub rate_limits: RateLimits,
    /// How long a client may take to send a request body.
    pub body_timeout: Duration,
    /// The hosts webhooks may reach over `http` and on private addresses.
    pub webhook_hosts: Vec<String>,
}

/// Starts serving on `listener`; the returned future ends when the server stopped.
pub fn serve(
    listener: TcpListener,
    db: Database,
    options: ServerOptions,
) -> std::io::Result<Server> {
    let api = operations();
    let published = contract::publish(&api);
    let auth = options.auth;
    let shared = Shared {
        reports: web::Data::new(ReportCache::default()),
        responses: web::Data::new(ResponseCache::default()),
        tokens: web::Data::new(TokenCache::default()),
        limits: web::Data::new(Limits::new(options.rate_limits)),
        cors: web::Data::new(CorsOrigins(options.cors_origins)),
        body_timeout: web::Data::new(BodyTimeout(options.body_timeout)),
        bounds: web::Data::new(bounds::InputBounds::from_contract(&published)),
        webhook_hosts: web::Data::new(webhooks::target::AllowedHosts::new(options.webhook_hosts)),
        contract: std::sync::Arc::new(published),
    };
    let mut server = HttpServer::new(move || build(db.clone(), api.clone(), auth, shared.clone()))
        .shutdown_timeout(options.shutdown_timeout.as_secs())
        .listen(listener)?;
    if let Some(workers) = options.workers {
        server = server.workers(workers);
    }
    if !options.handle_signals {
        server = server.disable_signals();
    }
    Ok(server.run())
}

/// The path templates of the contract with their methods: tells 404 from 405, and which
/// operation a request is for.
pub struct RouteTable(Vec<(String, Vec<String>, Vec<Method>)>);

impl RouteTable {
    pub fn new(api: &OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.split('/').map(str::to_string).collect();
                let template = path.to_string();
                let methods = [
                    (Method::GET, item.get.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, present)| present.then_some(method))
                .collect();
                (template, segments, methods)
            })
            .collect();
        Self(routes)
    }

    /// Every route whose template matches `path` (a literal and a parameter can both match).
    fn matching<'a>(
        &'a self,
        path: &str,
    ) -> impl Iterator<Item = &'a (String, Vec<String>, Vec<Method>)> + 'a {
        let parts: Vec<String> = path.split('/').map(str::to_string).collect();
        self.0.iter().filter(move |(_, template, _)| {
            template.len() == parts.len()
                && template.iter().zip(&parts).all(|(t, p)| {
                    t == p || (t.starts_with('{') && t.ends_with('}') && !p.is_empty())
                })
        })
    }

    /// The methods of the routes matching `path`, the most literal ones only (`/actions/batch`
    /// is not `/actions/{id}`); empty when none matches.
    pub fn allowed(&self, path: &str) -> Vec<Method> {
        let parameters =
            |segments: &Vec<String>| segments.iter().filter(|s| s.starts_with('{')).count();
        let fewest = self
            .matching(path)
            .map(|(_, segments, _)| parameters(segments))
            .min();
        let mut methods: Vec<Method> = Vec::new();
        for (_, _, route_methods) in self
            .matching(path)
            .filter(|(_, segments, _)| Some(parameters(segments)) == fewest)
        {
            for method in route_methods {
                if !methods.contains(method) {
                    methods.push(method.clone());
                }
            }
        }
        methods
    }

    /// The path template of the operation `method` `path` is for, if the contract has it.
    pub fn template(&self, path: &str, method: &Method) -> Option<&str> {
        self.matching(path)
            .find(|(_, _, methods)| methods.contains(method))
            .map(|(template, _, _)| template.as_str())
    }
}

/// What is wrong with a path segment, in the user's words rather than the parser's
/// (`can not parse "1.5" to a i32`).
fn path_problem(parser_says: &str) -> String {
    let value = parser_says
        .split_once("can not parse \"")
        .and_then(|(_, rest)| rest.rsplit_once("\" to a "));
    match value {
        Some((value, "i32" | "i64" | "u32" | "u64")) => {
            format!(
                "`{}` is not a whole number, as ids and years are",
                loggable(value)
            )
        }
        _ => "a part of the path has the wrong form".into(),
    }
}

/// Answers requests no route took: 405 with `Allow` when the path exists, else 404.
async fn no_route(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let methods = routes.allowed(req.path());
    Err(if methods.is_empty() {
        ApiError::NotFound(format!("There is nothing at {}.", req.path()))
    } else {
        ApiError::MethodNotAllowed(methods)
    })
}

/// PostgreSQL text cannot hold NUL: refuse it in paths and queries before it reaches a query.
async fn reject_nul_in_uri(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let uri = req.uri().to_string();
    if uri.contains("%00") {
        let err = ApiError::BadRequest("The path or query contains a NUL character (%00).".into());
        let response = actix_web::ResponseError::error_response(&err);
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// A problem body larger than this is passed on as it is (none is).
const LARGEST_PROBLEM: usize = 64 * 1024;

/// Makes every error response a problem+json document carrying the request id: a response
/// that is not one yet (e.g. from actix itself) becomes one, keeping its status and headers.
fn problem_fallback<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    Ok(ErrorHandlerResponse::Future(Box::pin(async move {
        let request_id = RequestId::of(res.request());
        let is_problem = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(PROBLEM_JSON));
        let (req, original) = res.into_parts();
        let status = original.status();
        let (head, body) = original.into_parts();
        let problem = if is_problem {
            let bytes = match body::to_bytes_limited(body, LARGEST_PROBLEM).await {
                Ok(Ok(bytes)) => bytes,
                _ => {
                    return Ok(ServiceResponse::new(
                        req,
                        problem_response(status, crate::error::status_title(status)),
                    )
                    .map_into_right_body())
                }
            };
            match (
                serde_json::from_slice::<serde_json::Value>(&bytes),
                request_id,
            ) {
                (Ok(serde_json::Value::Object(mut problem)), Some(id)) => {
                    problem.insert("request_id".into(), id.into());
                    serde_json::to_vec(&problem).map_or(bytes, Into::into)
                }
                _ => bytes,
            }
        } else {
            let detail = head
                .error()
                .map(|e| e.to_string())
                .filter(|text| !text.is_empty() && status.is_client_error())
                .unwrap_or_else(|| crate::error::status_title(status));
            let mut problem = crate::error::problem(status, detail);
            problem.request_id = request_id;
            serde_json::to_vec(&problem)
                .map_err(|e| ApiError::internal("problem body", e))?
                .into()
        };
        let mut response = HttpResponse::build(status)
            .content_type(PROBLEM_JSON)
            .body(problem);
        for (name, value) in head.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                response.headers_mut().insert(name.clone(), value.clone());
            }
        }
        Ok(ServiceResponse::new(req, response).map_into_right_body())
    })))
}
