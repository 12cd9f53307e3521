//! Liveness and readiness probes: `/health/live`, `/health/ready`.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::Database;
use crate::error::{ApiError, Problem};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_liveness).service(get_readiness);
}

/// The answer of a health probe.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness probe
///
/// Answers 200 as long as the process serves requests. It never touches the database, so an
/// orchestrator does not restart the service during a database outage.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is alive.", body = Health)))]
#[get("/health/live")]
pub async fn get_liveness() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness probe
///
/// Answers 200 when the schema is migrated and the database answers `SELECT 1` on the probe's
/// own connection (requests holding every pooled connection do not make it unready),
/// otherwise 503 with `Retry-After`, within about half a second even when the database is down.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "The service can answer requests.", body = Health),
        (status = 503, description = "The database is unavailable.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying.")))
    )
)]
#[get("/health/ready")]
pub async fn get_readiness(db: web::Data<Database>) -> Result<web::Json<Health>, ApiError> {
    db.probe().await?;
    Ok(web::Json(Health { status: "ok" }))
}
