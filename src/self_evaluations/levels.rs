//! `GET /api/v1/maturity-levels`: Audit Vlaanderen's assessment scale, reference data.

use actix_web::{get, web};
use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::dto::MaturityLevel;
use crate::api::respond;
use crate::api::{ListParams, Page, Query};
use crate::db::schema::maturity_levels;
use crate::db::Database;
use crate::error::ApiError;

type LevelRow = (i16, String, Option<String>, String, String);

/// The levels of the scale from `after` on, lowest first: one statement.
pub fn load(
    conn: &mut PgConnection,
    after: Option<i32>,
    limit: i64,
) -> Result<Vec<MaturityLevel>, ApiError> {
    let rows: Vec<LevelRow> = maturity_levels::table
        .filter(maturity_levels::level.gt(after.unwrap_or(-1) as i16))
        .select((
            maturity_levels::level,
            maturity_levels::name,
            maturity_levels::cycle_phase,
            maturity_levels::description,
            maturity_levels::internal_control,
        ))
        .order(maturity_levels::level)
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(level, name, cycle_phase, description, internal_control)| MaturityLevel {
                level: level.into(),
                name,
                cycle_phase,
                description,
                internal_control,
            },
        )
        .collect())
}

fn key(level: &MaturityLevel) -> i32 {
    level.level
}

/// List the maturity levels
///
/// Audit Vlaanderen's assessment scale for internal control, lowest level first: the scale
/// self-evaluations score the Leidraad themes on. Names and descriptions follow Audit
/// Vlaanderen's page on the benchmark of maturity levels; the scale is reference data and
/// cannot be changed through the API.
#[utoipa::path(
    tag = "self-evaluations",
    params(ListParams),
    responses((status = 200, description = "A page of maturity levels.", body = Page<MaturityLevel>))
)]
#[get("/maturity-levels")]
pub async fn list_maturity_levels(
    db: web::Data<Database>,
    Query(params): Query<ListParams>,
    req: actix_web::HttpRequest,
) -> Result<Page<MaturityLevel>, ApiError> {
    respond::list(&db, &req, params, load, key).await
}
