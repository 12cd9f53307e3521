//! HTTP handlers of `/api/v1/exports`.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::tables::{self, Column, Kind, Table, TABLES};
use super::{csv, Window};
use crate::api::limits::{EXPORT_PAGE_DEFAULT, EXPORT_PAGE_MAX};
use crate::api::page;
use crate::api::{Cursor, Query};
use crate::db::fixed::{Fixed, Part};
use crate::db::Database;
use crate::error::ApiError;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_exports).service(get_export);
}

/// An export table as the list describes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportTable {
    /// Name of the table, as in its address.
    #[schema(example = "action_statuses")]
    pub name: &'static str,
    /// `dimension`, `fact` or `bridge`.
    #[schema(example = "fact")]
    pub kind: Kind,
    /// What a row is.
    #[schema(example = "One row per action and year: its status and progress.")]
    pub description: &'static str,
    /// The key columns: unique together, and the order of the rows.
    #[schema(example = json!(["action_id", "year"]))]
    pub key: Vec<&'static str>,
    /// Whether `updated_from` / `updated_to` apply (the table has `updated_at`).
    #[schema(example = true)]
    pub incremental: bool,
    /// The columns, in order.
    pub columns: &'static [Column],
    /// Address of the table.
    #[schema(example = "/api/v1/exports/action_statuses")]
    pub href: String,
}

impl From<&'static Table> for ExportTable {
    fn from(table: &'static Table) -> Self {
        Self {
            name: table.name,
            kind: table.kind,
            description: table.description,
            key: table.key.iter().map(|(name, _)| *name).collect(),
            incremental: table.incremental,
            columns: table.columns,
            href: format!("/api/v1/exports/{}", table.name),
        }
    }
}

/// The representation of the list of export tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListFormat {
    Json,
    Xlsx,
}

/// The format of the list of export tables.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `json` (default): the tables described; `xlsx`: every table's rows in one Excel workbook.
    #[param(inline, example = "json")]
    pub format: Option<ListFormat>,
}

/// List the export tables
///
/// The tables of the star schema for PowerBI: dimensions (`domains`, `criteria`,
/// `departments`, `themes`, `years`, `risks`, `actions`, ...), facts (`risk_assessments`,
/// `action_statuses`, ...) and bridges (`action_domains`, `action_risks`, `action_themes`,
/// `risk_themes`, ...), each with its key and documented columns. With `format=xlsx`, for
/// analysts without PowerBI: one Excel workbook with a sheet listing the tables and a sheet
/// per table holding all its rows in key order, typed (integers as numbers, dates as dates,
/// timestamps as date-times in UTC), read in one consistent snapshot. A table of more rows
/// than a sheet holds is 413: export it as CSV.
#[utoipa::path(
    tag = "exports",
    params(ListParams),
    responses((status = 200, description = "The export tables, or all of them as a workbook.",
        content(
            (Vec<ExportTable> = "application/json"),
            (crate::office::Spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )))
)]
#[get("/exports")]
pub async fn list_exports(
    db: web::Data<Database>,
    Query(params): Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    if params.format == Some(ListFormat::Xlsx) {
        let workbook = db.run(super::workbook::render).await?;
        return Ok(HttpResponse::Ok()
            .content_type(crate::office::XLSX)
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"voortgang-exports.xlsx\"",
            ))
            .body(workbook));
    }
    let tables: Vec<ExportTable> = TABLES.iter().map(ExportTable::from).collect();
    Ok(HttpResponse::Ok().json(tables))
}

/// The representation of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Json,
    Csv,
}

/// Paging, format and incremental window of an export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `json` (pages) or `csv` (the whole table, streamed). Left out: CSV when the `Accept`
    /// header asks for `text/csv`, else JSON.
    #[param(inline, example = "json")]
    pub format: Option<ExportFormat>,
    /// JSON only: rows per page, 1 to 5000 (default 1000).
    #[param(minimum = 1, maximum = 5000, example = 1000)]
    pub limit: Option<i64>,
    /// JSON only: the `next_cursor` of the previous page, passed back unchanged.
    pub cursor: Option<String>,
    /// Only rows changed at or after this time (ISO 8601 with offset; encode `+` as `%2B`).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_from: Option<DateTime<Utc>>,
    /// Only rows changed before this time (half-open window).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_to: Option<DateTime<Utc>>,
}

/// A page of an export table (the columns are those the table list documents).
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportPage {
    /// The rows in key order; every column is present, null when empty.
    #[schema(example = json!([{"action_id": 12, "year": 2022, "action_title": "Welzijn op het werk",
        "department_id": null, "status": "realised", "progress": null, "note": null,
        "created_at": "2023-05-02T09:00:00+00:00", "updated_at": "2023-05-02T09:00:00+00:00"}]))]
    pub items: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Cursor of the next page, or null on the last page.
    #[schema(required = true, example = "WzEyLDIwMjJd")]
    pub next_cursor: Option<String>,
    /// Address of the next page (same base path, cursor in the query), or null.
    #[schema(
        required = true,
        example = "/api/v1/exports/action_statuses?limit=1000&cursor=WzEyLDIwMjJd"
    )]
    pub next: Option<String>,
}

/// Get an export table
///
/// One table of the star schema, in key order. As JSON, a page `{items, next_cursor, next}`
/// of up to `limit` rows (at most 5000); follow `next_cursor` (a query parameter on the same
/// base path) until it is null. As CSV (`format=csv` or `Accept: text/csv`), the whole table
/// streamed: UTF-8, a header row even when empty, RFC 4180 quoting, an empty field for null.
/// Timestamps are ISO 8601 with offset. `updated_from` / `updated_to` select the rows
/// changed in a half-open window, for incremental refresh (tables with `updated_at`; bridges
/// follow the action or risk they belong to). Deleted rows are not reported: refresh the
/// whole table to drop them.
#[utoipa::path(
    tag = "exports",
    params(("table" = String, Path, description = "Name of the table, as `GET /exports` lists it.", example = "action_statuses"), ExportParams),
    responses(
        (status = 200, description = "A page of the table (JSON), or the whole table (CSV).",
            content(
                (ExportPage = "application/json"),
                (String = "text/csv", example = json!("action_id,year,action_title,department_id,status,progress,note,created_at,updated_at\n12,2022,Welzijn op het werk,,realised,,,2023-05-02T09:00:00+00:00,2023-05-02T09:00:00+00:00\n"))
            ))
    )
)]
#[get("/exports/{table}")]
pub async fn get_export(
    db: web::Data<Database>,
    table: web::Path<String>,
    Query(params): Query<ExportParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let Some((index, table)) = tables::find(&table) else {
        return Err(ApiError::NotFound(format!(
            "There is no export table `{table}`; GET /api/v1/exports lists them."
        )));
    };
    let window = Window {
        from: params.updated_from,
        to: params.updated_to,
    };
    if (window.from.is_some() || window.to.is_some()) && !table.incremental {
        return Err(ApiError::BadRequest(format!(
            "the table `{}` has no updated_at: load it whole, without updated_from or updated_to",
            table.name
        )));
    }
    if let (Some(from), Some(to)) = (window.from, window.to) {
        if from >= to {
            return Err(ApiError::BadRequest(
                "updated_from must be before updated_to".into(),
            ));
        }
    }
    let format = params.format.unwrap_or_else(|| {
        if prefers_csv(&req) {
            ExportFormat::Csv
        } else {
            ExportFormat::Json
        }
    });
    if format == ExportFormat::Csv {
        if params.limit.is_some() || params.cursor.is_some() {
            return Err(ApiError::BadRequest(
                "a CSV export streams the whole table: limit and cursor page the JSON export"
                    .into(),
            ));
        }
        let pool = db.pool()?;
        let body = csv::stream(pool, index, window).await?;
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.csv\"", table.name),
            ))
            .body(body));
    }

    let limit = page::limit_within(params.limit, EXPORT_PAGE_DEFAULT, EXPORT_PAGE_MAX)?;
    let after = params
        .cursor
        .as_deref()
        .map(|cursor| check_cursor(table, cursor))
        .transpose()?;
    let (items, rows, last_key) = db
        .transaction(move |conn| {
            window.apply(conn)?;
            Ok(page_of(conn, table, after, limit)?)
        })
        .await?;
    let next_cursor = match (rows == limit, last_key) {
        (true, Some(key)) => {
            let key: serde_json::Value =
                serde_json::from_str(&key).map_err(|e| ApiError::internal("export cursor", e))?;
            Some(Cursor::encode(&key))
        }
        _ => None,
    };
    let next = next_cursor
        .as_deref()
        .map(|cursor| page::next_link(&req, cursor));
    let body = format!(
        "{{\"items\":{},\"next_cursor\":{},\"next\":{}}}",
        items,
        serde_json::to_string(&next_cursor).unwrap_or_default(),
        serde_json::to_string(&next).unwrap_or_default()
    );
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

/// A page of `table` after the key `after` (a JSON array), at most `limit` rows: the rows as
/// one JSON array, how many they are, and the key of the last one. One prepared statement
/// per table, whatever the page.
pub fn page_of(
    conn: &mut PgConnection,
    table: &Table,
    after: Option<String>,
    limit: i64,
) -> QueryResult<(String, i64, Option<String>)> {
    let values = [Part::OptionalText(after), Part::BigInt(limit)];
    Fixed::<(Text, BigInt, Nullable<Text>)>::numbered(&table.page_sql(), &values).get_result(conn)
}

/// Whether the `Accept` header prefers CSV: `text/csv` with a quality above zero, and no
/// lower than that of `application/json` when both are named.
fn prefers_csv(req: &HttpRequest) -> bool {
    use actix_web::HttpMessage;
    let Some(accept) = req.get_header::<header::Accept>() else {
        return false;
    };
    let quality = |essence: &str| {
        accept
            .iter()
            .filter(|item| item.item.essence_str() == essence)
            .map(|item| item.quality)
            .max()
    };
    match (quality("text/csv"), quality("application/json")) {
        (Some(csv), json) => csv > header::Quality::ZERO && json.is_none_or(|json| csv >= json),
        (None, _) => false,
    }
}

/// The key a cursor continues after, as a JSON array the query reads; checked against the
/// table's key so a cursor of another table is a 400, not a failed cast.
fn check_cursor(table: &Table, cursor: &str) -> Result<String, ApiError> {
    let invalid = || {
        ApiError::BadRequest(
            "cursor is not valid: pass back the next_cursor of the previous page unchanged".into(),
        )
    };
    let key: Vec<serde_json::Value> = Cursor::decode(cursor)?;
    if key.len() != table.key.len() {
        return Err(invalid());
    }
    for (value, (_, ty)) in key.iter().zip(table.key) {
        let fits = match *ty {
            "integer" => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
            _ => value.is_string(),
        };
        if !fits {
            return Err(invalid());
        }
    }
    serde_json::to_string(&key).map_err(|e| ApiError::internal("export cursor", e))
}
