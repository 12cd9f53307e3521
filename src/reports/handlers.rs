//! HTTP handlers of `/api/v1/reports`.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use std::sync::Arc;

use super::cache::{Rendered, ReportCache, Stamp};
use super::document::{self, Format};
use super::dto::{AdoptInput, Report, ReportYear, ReportYearInput};
use super::follow_up::{self, FollowUp};
use super::{adopt, assemble, repo};
use crate::api::etag::with_rendered_etag;
use crate::api::{check_year, respond, with_etag, Json, OptionalJson, Query};
use crate::auth::Principal;
use crate::db::Database;
use crate::error::ApiError;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_reports)
        .service(get_report)
        .service(put_report)
        .service(adopt_report)
        .service(get_report_document)
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
    params(("year" = i32, Path, description = "The report year.", example = 2022, minimum = 2000, maximum = 2100)),
    responses(
        (status = 200, description = "The report.", body = Report)
    )
)]
#[get("/reports/{year}")]
pub async fn get_report(
    db: web::Data<Database>,
    cache: web::Data<ReportCache>,
    year: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    let rendered = served(&db, cache.into_inner(), year).await?;
    Ok(with_rendered_etag(
        &req,
        &rendered.etag,
        "application/json",
        rendered.body.clone(),
    ))
}

/// The report of `year` as served: from memory while the data is unchanged, else rendered.
async fn served(
    db: &Database,
    cache: Arc<ReportCache>,
    year: i32,
) -> Result<Arc<Rendered>, ApiError> {
    let heard = db.changes().data();
    if let Some(rendered) = heard.and_then(|g| cache.get(year, Stamp::Heard(g))) {
        return Ok(rendered);
    }
    db.run(move |conn| assemble::rendered(conn, &cache, year, heard))
        .await
}

/// Set the metadata of a year's report
///
/// Creates (201) or replaces (200) the title, presentation, decision link and introduction.
/// The status changes only through adoption. With `If-Match` (the `ETag` of the metadata, as
/// this operation answers it), a replacement is refused (412) when the metadata changed
/// meanwhile.
#[utoipa::path(
    tag = "reports",
    params(("year" = i32, Path, description = "The report year, 2000 to 2100.", example = 2023, minimum = 2000, maximum = 2100)),
    request_body(content = ReportYearInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The metadata was replaced.", body = ReportYear),
        (status = 201, description = "The metadata was created.", body = ReportYear)
    )
)]
#[put("/reports/{year}")]
pub async fn put_report(
    db: web::Data<Database>,
    principal: Principal,
    year: web::Path<i32>,
    body: Json<ReportYearInput>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    check_year(year)?;
    let location = format!("/api/v1/reports/{year}");
    respond::put(
        &db,
        &req,
        body.0,
        location,
        move |conn, input, precondition| repo::put(conn, &principal, year, input, precondition),
    )
    .await
}

/// The format of a report document.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentParams {
    /// `html`: a printable page; `markdown`: the same content in Markdown; `docx`: a Word
    /// document; `xlsx`: an Excel workbook. Left out: the first of these the `Accept` header
    /// asks for, else HTML.
    #[param(inline, example = "html")]
    pub format: Option<Format>,
}

/// Print a year's report
///
/// The report as a document: `format=html` (default) is a self-contained, printable page in
/// Dutch that reads like the council document: title page, introduction, an overview table
/// with the counts per domain and a bar chart of realisations and planning, then per domain
/// its counts and the four parts side by side, sub-actions indented. `format=markdown` gives
/// the same content as Markdown. `format=docx` is a Word document for the council's agenda
/// (A4, Word headings for the navigation pane and the table of contents, page numbers, the
/// chart as a native Word chart; for an adopted year it names the snapshot's SHA-256).
/// `format=xlsx` is an Excel workbook for filtering and sorting:
/// the report's facts, an overview with the counts per domain, and a sheet per part
/// (criteria, risks, realisations, planning; then the self-evaluation and the overdue
/// recommendations when the report has them) with the domain on every row, typed cells, a
/// frozen header and an autofilter. Without `format`, the `Accept` header chooses
/// (`text/html`, `text/markdown`, or the Word or spreadsheet type). Built from the report
/// `GET /reports/{year}` serves (for an adopted year, its snapshot); all data is escaped, and
/// no text becomes a formula.
#[utoipa::path(
    tag = "reports",
    params(("year" = i32, Path, description = "The report year.", example = 2022, minimum = 2000, maximum = 2100), DocumentParams),
    responses(
        (status = 200, description = "The document.",
            content(
                (String = "text/html", example = json!("<!DOCTYPE html>\n<html lang=\"nl\">...")),
                (String = "text/markdown", example = json!("# Voortgangsrapport 2022 Organisatiebeheersing\n...")),
                (crate::office::Spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (crate::office::WordDocument = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            ),
            headers(("ETag" = String, description = "Entity tag of this document."))),
        (status = 304, description = "Unchanged since the `If-None-Match` entity tag.")
    )
)]
#[get("/reports/{year}/document")]
pub async fn get_report_document(
    db: web::Data<Database>,
    cache: web::Data<ReportCache>,
    year: web::Path<i32>,
    Query(params): Query<DocumentParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    let negotiated = params.format.is_none();
    let format = params
        .format
        .or_else(|| {
            use actix_web::HttpMessage;
            Format::accepted(&req.get_header::<actix_web::http::header::Accept>()?)
        })
        .unwrap_or_default();
    let rendered = served(&db, cache.into_inner(), year).await?;
    let etag = format!(
        "\"{}-{}\"",
        rendered.etag.trim_matches('"'),
        format.as_str()
    );
    let document = web::block(move || -> Result<Vec<u8>, ApiError> {
        let report: Report = serde_json::from_slice(&rendered.body)
            .map_err(|e| ApiError::internal("report document", e))?;
        document::render(&report, format)
    })
    .await
    .map_err(|e| ApiError::internal("blocking task", e))??;
    let mut response = with_rendered_etag(&req, &etag, format.content_type(), document.into());
    if negotiated {
        response.headers_mut().insert(
            actix_web::http::header::VARY,
            actix_web::http::header::HeaderValue::from_static("Accept"),
        );
    }
    Ok(response)
}

/// Adopt a year's report
///
/// Records that the council adopted the report (admin only): the assembled report is stored
/// as an immutable snapshot, and from then on `GET /reports/{year}` serves that snapshot byte
/// for byte, whatever happens to the data, with the snapshot's SHA-256 as its `ETag` and in
/// `report.sha256`. The hash is that of the served body with 64 zeros in place of the hash.
/// The assessments and statuses of the year are locked from then on (409), by the database;
/// the metadata is frozen too. The body is optional: `adopted_on` defaults to today,
/// `decision_url` to the metadata's. Re-opening an adopted report is not offered (409).
#[utoipa::path(
    tag = "reports",
    params(("year" = i32, Path, description = "The report year.", example = 2022, minimum = 2000, maximum = 2100)),
    request_body(content = Option<AdoptInput>, content_type = "application/json",
        description = "Optional: the day of adoption and the council decision."),
    responses(
        (status = 200, description = "The report is adopted; its metadata.", body = ReportYear,
            headers(("ETag" = String, description = "Entity tag of the adopted year's metadata."))),
        (status = 409, description = "The report was adopted before.", body = crate::error::Problem,
            content_type = "application/problem+json")
    )
)]
#[post("/reports/{year}/adopt")]
pub async fn adopt_report(
    db: web::Data<Database>,
    principal: Principal,
    year: web::Path<i32>,
    body: OptionalJson<AdoptInput>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    check_year(year)?;
    let input = body.0;
    input.validate()?;
    let adopted = db
        .transaction(move |conn| adopt::adopt(conn, &principal, year, input))
        .await?;
    Ok(with_etag(&req, &adopted))
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
    params(("year" = i32, Path, description = "The year to follow up in (its previous year's plans).", example = 2023, minimum = 2000, maximum = 2100)),
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
