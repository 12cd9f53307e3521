//! HTTP handlers of `/api/v1/reports`.

use actix_web::{get, put, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::dto::{Report, ReportYear, ReportYearInput};
use super::follow_up::{self, FollowUp};
use super::{assemble, repo};
use crate::api::{check_year, put_response, with_etag, Json};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::ApiError;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_reports)
        .service(get_report)
        .service(put_report)
        .service(get_report_follow_up);
}

/// List the report years
///
/// Every year that has a report: metadata, or assessments or statuses of that year. Years
/// without metadata are drafts titled "Voortgangsrapport <year>".
#[utoipa::path(
    tag = "reports",
    responses((status = 200, description = "The report years, oldest first.", body = Vec<ReportYear>))
)]
#[get("/reports")]
pub async fn list_reports(db: web::Data<Database>) -> Result<web::Json<Vec<ReportYear>>, ApiError> {
    Ok(web::Json(db.run(repo::years).await?))
}

/// Get the assembled report of a year
///
/// The voortgangsrapport of the year: its metadata and Dutch section labels, then per domain
/// in report order the four parts with counts: criteria ("Detail criterium"), the risks followed
/// up that year with that year's assessment ("Op te volgen hoge risico's"), the actions realised
/// that year ("Realisaties") and those planned or in progress ("Planning"), sub-actions nested
/// under their parent. A year without data is 404.
#[utoipa::path(
    tag = "reports",
    params(("year" = i32, Path, description = "The report year.", example = 2022)),
    responses(
        (status = 200, description = "The report.", body = Report,
            headers(("ETag" = String, description = "Entity tag of this representation."))),
        (status = 304, description = "Unchanged since the `If-None-Match` entity tag.")
    )
)]
#[get("/reports/{year}")]
pub async fn get_report(
    db: web::Data<Database>,
    year: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    let report = db.run(move |conn| assemble::assemble(conn, year)).await?;
    Ok(with_etag(&req, &report))
}

/// Set the metadata of a year's report
///
/// Creates (201) or replaces (200) the title, presentation, decision link and introduction.
/// The status changes only through adoption.
#[utoipa::path(
    tag = "reports",
    params(("year" = i32, Path, description = "The report year, 2000 to 2100.", example = 2023)),
    request_body(content = ReportYearInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The metadata was replaced.", body = ReportYear),
        (status = 201, description = "The metadata was created.", body = ReportYear,
            headers(("Location" = String, description = "Address of the report.")))
    )
)]
#[put("/reports/{year}")]
pub async fn put_report(
    db: web::Data<Database>,
    principal: Principal,
    year: web::Path<i32>,
    body: Json<ReportYearInput>,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    check_year(year)?;
    let input = body.0;
    input.validate()?;
    let (report, created) = db
        .transaction(move |conn| repo::put(conn, &principal, year, input))
        .await?;
    Ok(put_response(
        &report,
        created,
        format!("/api/v1/reports/{year}"),
    ))
}

/// Follow up the previous year's report
///
/// Every action the previous year's report planned (`planned` or `in_progress` that year),
/// per domain, with what became of it this year: `realised`, `in_progress`, `postponed`,
/// `cancelled`, still `planned`, or `no_update` when the department gave no status; with
/// totals per outcome. And every risk followed up in either year with both assessments:
/// `new`, `continued`, `closed`, `level_up`, `level_down` or `no_update`.
#[utoipa::path(
    tag = "reports",
    params(("year" = i32, Path, description = "The year to follow up in (its previous year's plans).", example = 2023)),
    responses((status = 200, description = "The follow-up.", body = FollowUp))
)]
#[get("/reports/{year}/follow-up")]
pub async fn get_report_follow_up(
    db: web::Data<Database>,
    year: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    let follow_up = db.run(move |conn| follow_up::follow_up(conn, year)).await?;
    Ok(with_etag(&req, &follow_up))
}
