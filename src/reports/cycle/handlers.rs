//! HTTP handlers of the yearly cycle: `/api/v1/reports/{year}/open`, `.../close`,
//! `.../worklist`, `.../progress` and `.../review`.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::repo;
use super::review::{self, BatchReview, BatchReviewResult};
use super::sheet::{self, ImportResult};
use super::worklist::{self, ItemState, WorklistFormat, WorklistItem, WorklistQuery, YearProgress};
use crate::api::body::WorkbookBody;
use crate::api::etag::if_match;
use crate::api::{
    check_path_year, check_year, page, respond, with_etag, Cursor, Json, Page, Query,
};
use crate::auth::Principal;
use crate::auth::Role;
use crate::db::Database;
use crate::error::{ApiError, Problem};
use crate::reports::dto::{OpenInput, ReportYear};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(open_report)
        .service(close_report)
        .service(get_report_worklist)
        .service(import_report_worklist)
        .service(get_report_progress)
        .service(review_report);
}

/// Open a year for the departments' answers
///
/// Puts the year in the `collecting` state with a deadline (`collect_until`): from then on
/// the departments' worklists (`GET /reports/{year}/worklist`) say what each owes, derived
/// from last year's planning and followed-up risks (nothing is copied into the year). With
/// `review_required` (the default) every status and assessment written for the year is
/// `submitted` and counts in the report only once a reviewer approves it; rows the year
/// already has wait for review too. Idempotent: opening a collecting year again with the same
/// body changes nothing (200); with another deadline it moves the deadline. Opening a draft
/// starts collecting again; an adopted year is 409. Reviewer or admin.
#[utoipa::path(
    tag = "reports",
    params(("year" = i32, Path, description = "The report year, 2000 to 2100.", example = 2023, minimum = 2000, maximum = 2100)),
    request_body(content = OpenInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The year was open already, or is open again; its metadata.", body = ReportYear),
        (status = 201, description = "The year was opened; its metadata.", body = ReportYear),
        (status = 409, description = "The year is adopted, or a reviewed year was asked to drop its review.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/reports/{year}/open")]
pub async fn open_report(
    db: web::Data<Database>,
    principal: Principal,
    year: web::Path<i32>,
    body: Json<OpenInput>,
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
        move |conn, input, precondition| repo::open(conn, &principal, year, input, precondition),
    )
    .await
}

/// Close the collection of a year
///
/// From `collecting` to `draft`: editors no longer write the year's statuses and assessments
/// (409); the reviewer and the admins finish the report, and it can be adopted. Opening the
/// year again starts collecting again. Reviewer or admin; 409 unless the year is collecting.
#[utoipa::path(
    tag = "reports",
    params(("year" = i32, Path, description = "The report year.", example = 2023, minimum = 2000, maximum = 2100)),
    responses(
        (status = 200, description = "The collection is closed; the year's metadata.", body = ReportYear),
        (status = 409, description = "The year is not collecting.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/reports/{year}/close")]
pub async fn close_report(
    db: web::Data<Database>,
    principal: Principal,
    year: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    check_path_year(year)?;
    let precondition = if_match(&req);
    let closed = db
        .transaction(move |conn| repo::close(conn, &principal, year, &precondition))
        .await?;
    Ok(with_etag(&req, &closed))
}

/// What the departments still owe for a year
///
/// The items of the year, derived: every action `planned` or `in_progress` the year before
/// and without a status this year (`missing: no_status`), every action `in_progress` this
/// year without progress (`no_progress`), every risk followed up the year before (`open` or
/// `monitoring`) without an assessment this year (`no_assessment`), every recommendation of
/// an audit held by then that was not implemented or accepted before and has no status this
/// year (`no_status`), and every row of the year under review; each with last year's values beside this year's, and `answer`, the row to
/// `PUT`. By default the items still owed (`owed` and `returned`, with the reviewer's note);
/// `state` picks another. An editor sees its departments' items unless it asks for another
/// department. Paged in the order of kind and id; one statement a page.
#[utoipa::path(
    tag = "reports",
    params(("year" = i32, Path, description = "The report year.", example = 2023, minimum = 2000, maximum = 2100), WorklistQuery),
    responses((status = 200, description = "A page of items, or the worklist as a workbook.",
        content(
            (Page<WorklistItem> = "application/json"),
            (crate::office::Spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )))
)]
#[get("/reports/{year}/worklist")]
pub async fn get_report_worklist(
    db: web::Data<Database>,
    principal: Principal,
    year: web::Path<i32>,
    Query(params): Query<WorklistQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    check_path_year(year)?;
    // without a department, what an editor sees is its own departments': the answer depends
    // on who asks, so no cache may give it to another caller
    let mut response = HttpResponse::Ok();
    if params.department_id.is_none() {
        response.insert_header((actix_web::http::header::VARY, "Authorization"));
    }
    if params.format == Some(WorklistFormat::Xlsx) {
        let department = workbook_department(&principal, params.department_id)?;
        let workbook = db
            .run(move |conn| {
                let items = sheet::items(
                    conn,
                    year,
                    &department,
                    vec![ItemState::Owed, ItemState::Returned],
                )?;
                let domains = sheet::domains(conn)?;
                sheet::form(year, &department, &items, &domains)
            })
            .await?;
        return Ok(response
            .content_type(crate::office::XLSX)
            .insert_header((
                actix_web::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"werklijst-{year}.xlsx\""),
            ))
            .body(workbook));
    }
    let limit = page::limit(params.limit)?;
    let after = params.cursor.as_deref().map(Cursor::decode).transpose()?;
    let departments = worklist::departments(&principal, params.department_id);
    let states = match params.state {
        Some(state) => vec![state],
        None => vec![ItemState::Owed, ItemState::Returned],
    };
    let rows = db
        .run(move |conn| worklist::page(conn, year, departments, states, after, limit + 1))
        .await?;
    Ok(response.json(Page::new(rows, limit, worklist::key, &req)))
}

/// The department a worklist workbook is for: the one asked for, else an editor's only one.
fn workbook_department(principal: &Principal, asked: Option<String>) -> Result<String, ApiError> {
    match (asked, principal.role, principal.departments.as_slice()) {
        (Some(asked), _, _) => Ok(asked),
        (None, Some(Role::Editor), [only]) => Ok(only.clone()),
        _ => Err(ApiError::invalid(
            "department_id",
            "is required for a worklist workbook: a workbook is one department's",
        )),
    }
}

/// Whether a worklist import is only tried.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true`: nothing is written; the answer says per row what the import would do.
    #[serde(default)]
    #[param(example = true)]
    pub dry_run: bool,
}

/// Import a filled-in worklist workbook
///
/// Reads back the workbook `GET /reports/{year}/worklist?format=xlsx` gave, as the request
/// body (`Content-Type` of `.xlsx`, at most 5 MiB). Every answered row (a status chosen) is
/// written as its own `PUT` would write it (`answer` in the JSON worklist): the same
/// validation and department scope, `submitted` for review when the year is reviewed, an audit
/// event per change; a row answered as it already is writes nothing. Each filled row of the
/// sheet `Nieuwe acties` adds an action of the department in the chosen domain with its status
/// of the year (importing the workbook again finds it by its title and changes only that
/// status). All or nothing: a sheet
/// edited in the wrong places (columns moved, hidden keys changed or moved between rows,
/// another department's items, a status that is not one of the row's, a number out of range,
/// a formula) is a 422 naming each cell (`Werklijst!K7`), and nothing is written. With
/// `dry_run=true` nothing is written and the answer says per row `created`, `updated` (with
/// the fields before and after) or `unchanged`. With an `Idempotency-Key`, a retry with the
/// same key and workbook gets the first answer again. Workbooks larger than 5 MiB, of more
/// than 200 parts or unpacking to more than 64 MiB are 413.
#[utoipa::path(
    tag = "reports",
    params(
        ("year" = i32, Path, description = "The report year.", example = 2023, minimum = 2000, maximum = 2100),
        ("Idempotency-Key" = Option<String>, Header, description = "A unique key per intended import (e.g. a UUID): a retry with the same key and workbook gets the first answer again, for 24 hours.", example = "5d1c9a52-6f0e-4c3b-9a4f-2f7d8e1b0c3a", pattern = r"^[!-~]{1,255}$"),
        ImportParams
    ),
    request_body(content = crate::office::WorkbookUpload, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        description = "The filled-in worklist workbook."),
    responses(
        (status = 200, description = "What the import did, or would do.", body = ImportResult),
        (status = 403, description = "The worklist is of a department the caller does not edit.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The year is adopted or closed for the caller, or a request with the same Idempotency-Key is still running.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The workbook is too large, or unpacks to too much.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/reports/{year}/worklist/import")]
pub async fn import_report_worklist(
    db: web::Data<Database>,
    principal: Principal,
    year: web::Path<i32>,
    Query(params): Query<ImportParams>,
    body: WorkbookBody,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    check_path_year(year)?;
    let bytes = body.0;
    let filled = web::block(move || sheet::read(bytes, year))
        .await
        .map_err(|e| ApiError::internal("blocking task", e))??;
    if principal.role == Some(Role::Editor)
        && !principal
            .departments
            .iter()
            .any(|d| d == filled.department())
    {
        return Err(ApiError::Forbidden(format!(
            "The workbook is the worklist of `{}`, a department `{}` does not edit.",
            filled.department(),
            principal.name
        )));
    }
    if params.dry_run {
        let result = db
            .dry_run(move |conn| sheet::import(conn, &principal, filled, true))
            .await?;
        return Ok(HttpResponse::Ok().json(result));
    }
    respond::once(
        &db,
        &req,
        principal,
        "import_report_worklist",
        move |conn, principal| {
            crate::api::idempotency::Stored::of(
                &sheet::import(conn, principal, filled, false)?,
                None,
            )
        },
    )
    .await
}

/// The coordinator's overview of a year
///
/// Per department (every department, with zeros when it owes nothing, and a line for the
/// items without a department when there are any) the counts of its worklist: `owed` (every
/// item), `answered` (approved, or written in a year without review), `waiting` for review,
/// `returned`, `open` (no answer yet) and `overdue` (open or returned after `collect_until`),
/// with the percentage answered; and the totals. Two statements whatever the numbers of
/// departments and items.
#[utoipa::path(
    tag = "reports",
    params(("year" = i32, Path, description = "The report year.", example = 2023, minimum = 2000, maximum = 2100)),
    responses((status = 200, description = "The overview.", body = YearProgress))
)]
#[get("/reports/{year}/progress")]
pub async fn get_report_progress(
    db: web::Data<Database>,
    year: web::Path<i32>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    check_path_year(year)?;
    let progress = db.run(move |conn| worklist::progress(conn, year)).await?;
    Ok(with_etag(&req, &progress))
}

/// Review many rows of a year at once
///
/// Approves or returns up to 1000 submitted statuses and assessments of the year, each as
/// its own review operation would (`POST /actions/{action_id}/statuses/{year}/review`,
/// `POST /risks/{risk_id}/assessments/{year}/review`). All or nothing: one row that cannot be
/// reviewed (not submitted: 409; submitted by the caller: 403; a return without a note: 422)
/// and nothing is reviewed; the problem names `items[i]`. Reviewer or admin.
#[utoipa::path(
    tag = "reports",
    params(("year" = i32, Path, description = "The report year.", example = 2023, minimum = 2000, maximum = 2100)),
    request_body(content = BatchReview, content_type = "application/json"),
    responses(
        (status = 200, description = "Every row was reviewed.", body = BatchReviewResult),
        (status = 403, description = "A row was submitted by the caller.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A row is not waiting for review.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/reports/{year}/review")]
pub async fn review_report(
    db: web::Data<Database>,
    principal: Principal,
    year: web::Path<i32>,
    body: Json<BatchReview>,
) -> Result<web::Json<BatchReviewResult>, ApiError> {
    let year = year.into_inner();
    check_year(year)?;
    let batch = body.0;
    batch.validate()?;
    let result = db
        .transaction(move |conn| review::review(conn, &principal, year, batch))
        .await?;
    Ok(web::Json(result))
}
