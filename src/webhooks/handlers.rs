//! HTTP handlers of `/api/v1/webhooks` (admins only).

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{CreatedWebhook, Delivery, DeliveryStatus, NewWebhook, Webhook, WebhookPatch};
use super::repo;
use super::target::AllowedHosts;
use crate::api::respond;
use crate::api::{self, page, Json, MergePatch, Page, Query};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::{ApiError, Problem};

pub fn routes(cfg: &mut ServiceConfig) {
    item_routes(cfg);
    cfg.service(create_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(rotate_webhook_secret)
        .service(ping_webhook)
        .service(list_webhook_deliveries)
        .service(get_webhook_delivery)
        .service(redeliver_webhook_delivery);
}

/// Subscribe to events
///
/// Creates a subscription and answers its signing secret, once. From then on, every event of
/// its types is `POST`ed to `url` as JSON (`type`, `timestamp`, `data`) with the Standard
/// Webhooks headers `webhook-id`, `webhook-timestamp` and `webhook-signature`, at least once
/// and in order; a receiver answers 2xx within the timeout, else the message is retried. The
/// target is `https` on a public address unless its host is on the service's allow-list
/// (422 otherwise).
#[utoipa::path(
    tag = "webhooks",
    request_body(content = NewWebhook, content_type = "application/json"),
    responses(
        (status = 201, description = "The webhook was created; the answer holds its secret.", body = CreatedWebhook)
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    db: web::Data<Database>,
    hosts: web::Data<AllowedHosts>,
    principal: Principal,
    body: Json<NewWebhook>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0;
    validator::Validate::validate(&new)?;
    let hosts = hosts.into_inner();
    let (webhook, secret) = db
        .transaction(move |conn| repo::create(conn, &principal, &hosts, new))
        .await?;
    let location = format!("/api/v1/webhooks/{}", webhook.id);
    Ok(api::created(location, &CreatedWebhook { webhook, secret }))
}

/// Change a webhook
///
/// JSON Merge Patch (RFC 7386) of the target, description, event types, department, payload
/// or `active`. Setting `active` to true makes a failing subscription healthy again. With
/// `If-Match`, the change is refused (412) when the webhook changed meanwhile.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i32, Path, description = "Identifier of the webhook.", example = 2)),
    request_body(content = WebhookPatch, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "The changed webhook.", body = Webhook))
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    db: web::Data<Database>,
    hosts: web::Data<AllowedHosts>,
    principal: Principal,
    id: web::Path<i32>,
    body: MergePatch<WebhookPatch>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (id, hosts) = (id.into_inner(), hosts.into_inner());
    respond::change(&db, &req, body.0, move |conn, patch, precondition| {
        repo::update(conn, &principal, &hosts, id, patch, precondition)
    })
    .await
}

/// Delete a webhook
///
/// Ends the subscription; its messages not yet sent are dropped with it.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i32, Path, description = "Identifier of the webhook.", example = 2)),
    responses((status = 204, description = "The webhook was deleted."))
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    db: web::Data<Database>,
    principal: Principal,
    id: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    respond::remove(&db, &req, move |conn, precondition| {
        repo::delete(conn, &principal, id, precondition)
    })
    .await
}

/// Rotate a webhook's secret
///
/// Answers a new secret, once. For 24 hours the previous secret keeps signing too: each
/// message carries both signatures in `webhook-signature`, so the receiver can switch
/// without losing a message.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i32, Path, description = "Identifier of the webhook.", example = 2)),
    responses((status = 200, description = "The webhook with its new secret.", body = CreatedWebhook))
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    db: web::Data<Database>,
    principal: Principal,
    id: web::Path<i32>,
) -> Result<web::Json<CreatedWebhook>, ApiError> {
    let id = id.into_inner();
    let (webhook, secret) = db
        .transaction(move |conn| repo::rotate(conn, &principal, id))
        .await?;
    Ok(web::Json(CreatedWebhook { webhook, secret }))
}

/// Send a test message
///
/// Queues a `ping` message to the webhook, whatever its event types, after the messages
/// already queued; its delivery shows how the receiver answered.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i32, Path, description = "Identifier of the webhook.", example = 2)),
    responses((status = 202, description = "The ping is queued; its delivery.", body = Delivery))
)]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(
    db: web::Data<Database>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let delivery = db.transaction(move |conn| repo::ping(conn, id)).await?;
    Ok(accepted(&delivery))
}

fn accepted(delivery: &Delivery) -> HttpResponse {
    HttpResponse::Accepted()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!(
                "/api/v1/webhooks/{}/deliveries/{}",
                delivery.webhook_id, delivery.id
            ),
        ))
        .json(delivery)
}

/// Filters and paging of a webhook's deliveries (newest first).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state.
    #[param(example = "failed")]
    pub status: Option<DeliveryStatus>,
    /// How many items to return, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000, example = 50)]
    pub limit: Option<i64>,
    /// Where to continue: the `next_cursor` of the previous page, with the same parameters.
    #[param(example = "Mzgx")]
    pub cursor: Option<String>,
}

/// List a webhook's deliveries
///
/// Every message queued for the webhook, newest first: its status, attempts, the receiver's
/// last status code and duration, the next attempt, and the body as sent (never the secret).
#[utoipa::path(
    tag = "webhooks",
    params(("id" = i32, Path, description = "Identifier of the webhook.", example = 2), DeliveryQuery),
    responses((status = 200, description = "A page of deliveries.", body = Page<Delivery>))
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    db: web::Data<Database>,
    id: web::Path<i32>,
    Query(params): Query<DeliveryQuery>,
    req: HttpRequest,
) -> Result<Page<Delivery>, ApiError> {
    let id = id.into_inner();
    let limit = page::limit(params.limit)?;
    let before = params
        .cursor
        .as_deref()
        .map(api::Cursor::decode)
        .transpose()?;
    let status = params.status;
    let rows = db
        .run(move |conn| repo::deliveries(conn, id, status, before, limit + 1))
        .await?;
    Ok(Page::new(rows, limit, repo::delivery_key, &req))
}

/// Get one delivery
///
/// How one message to the webhook went.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = i32, Path, description = "Identifier of the webhook.", example = 2),
        ("delivery_id" = i64, Path, description = "Identifier of the delivery.", example = 381)
    ),
    responses((status = 200, description = "The delivery.", body = Delivery))
)]
#[get("/webhooks/{id}/deliveries/{delivery_id}")]
pub async fn get_webhook_delivery(
    db: web::Data<Database>,
    path: web::Path<(i32, i64)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    respond::read(&db, &req, move |conn| repo::delivery(conn, id, delivery_id)).await
}

/// Send a delivery again
///
/// Puts the message back in the webhook's queue, due now, with the same `webhook-id` (a
/// receiver that already handled it can tell). A failing webhook becomes healthy again, and
/// its queued messages follow. A delivery still pending is left as it is.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = i32, Path, description = "Identifier of the webhook.", example = 2),
        ("delivery_id" = i64, Path, description = "Identifier of the delivery.", example = 381)
    ),
    responses(
        (status = 202, description = "The message is queued again; its delivery.", body = Delivery),
        (status = 404, description = "No such webhook or delivery.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    db: web::Data<Database>,
    principal: Principal,
    path: web::Path<(i32, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery_id) = path.into_inner();
    let delivery = db
        .transaction(move |conn| repo::redeliver(conn, &principal, id, delivery_id))
        .await?;
    Ok(accepted(&delivery))
}

crate::api::handlers::item_handlers! {
    tag: "webhooks",
    key: i32, ("id", "Identifier of the webhook.", 2),
    path: "/webhooks/{id}",
    row: Webhook,
    noun: "webhook",
    routes: item_routes,
    list: {
        /// List the webhooks
        ///
        /// Every subscription, without secrets, ordered by id.
        list_webhooks at "/webhooks" => repo::list, repo::key,
        page: "A page of webhooks."
    },
    get: {
        /// Get one webhook
        ///
        /// The subscription without its secret; `state` says whether its messages are getting
        /// through.
        get_webhook => repo::find
    },
}
