//! The star schema as one Excel workbook, for analysts without PowerBI: a sheet that lists the
//! tables, then a sheet per table with its columns as the JSON and CSV exports have them,
//! typed (integers as numbers, dates as dates, timestamps as date-times in UTC). Read in one
//! read-only, repeatable-read transaction, so the sheets agree with each other; written a row
//! at a time through temporary files, so memory stays flat.

use chrono::{DateTime, NaiveDate};
use diesel::pg::PgConnection;
use rust_xlsxwriter::Workbook;
use serde_json::Value;

use super::handlers::page_of;
use super::tables::{Kind, Table, TABLES};
use super::Window;
use crate::api::limits::EXPORT_PAGE_MAX;
use crate::error::ApiError;
use crate::office::{self, Cell, Table as Sheet};

/// The rows an Excel sheet holds below its header.
const SHEET_ROWS_MAX: usize = 1_048_575;

/// The workbook of every export table.
pub fn render(conn: &mut PgConnection) -> Result<Vec<u8>, ApiError> {
    conn.build_transaction()
        .read_only()
        .repeatable_read()
        .run(|conn| {
            // every row, whenever it changed
            Window::default().apply(conn)?;
            let mut workbook = Workbook::new();
            // the list comes first, and is filled in once the rows are counted
            workbook.add_worksheet();
            let mut counts = Vec::with_capacity(TABLES.len());
            for table in TABLES {
                counts.push(write(conn, &mut workbook, table)?);
            }
            let sheet = workbook.worksheet_from_index(0).map_err(office::failed)?;
            let mut list = Sheet::on(
                sheet,
                "Tabellen",
                &["Tabel", "Soort", "Rijen", "Sleutel", "Wat een rij is"],
            )?;
            for (table, rows) in TABLES.iter().zip(counts) {
                let key: Vec<&str> = table.key.iter().map(|(name, _)| *name).collect();
                let key = key.join(", ");
                list.row(&[
                    table.name.into(),
                    kind(table).into(),
                    rows.into(),
                    key.as_str().into(),
                    table.description.into(),
                ])?;
            }
            list.finish()?;
            office::save(&mut workbook)
        })
}

fn kind(table: &Table) -> &'static str {
    match table.kind {
        Kind::Dimension => "dimension",
        Kind::Fact => "fact",
        Kind::Bridge => "bridge",
    }
}

/// Writes every row of `table` on a sheet of its own, page by page in key order; returns
/// how many rows it wrote.
fn write(
    conn: &mut PgConnection,
    workbook: &mut Workbook,
    table: &Table,
) -> Result<usize, ApiError> {
    let names: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    let mut sheet = Sheet::streaming(workbook, table.name, &names)?;
    let mut written = 0;
    let mut after = None;
    loop {
        let (items, count, last) = page_of(conn, table, after, EXPORT_PAGE_MAX)?;
        let rows: Vec<Value> =
            serde_json::from_str(&items).map_err(|e| ApiError::internal("export page", e))?;
        written += rows.len();
        if written > SHEET_ROWS_MAX {
            return Err(ApiError::PayloadTooLarge(format!(
                "The table `{}` has more rows than a sheet holds ({SHEET_ROWS_MAX}); export it as CSV.",
                table.name
            )));
        }
        for row in &rows {
            let cells: Vec<Cell<'_>> = table
                .columns
                .iter()
                .map(|column| cell(column.r#type, &row[column.name]))
                .collect();
            sheet.row(&cells)?;
        }
        if count < EXPORT_PAGE_MAX || last.is_none() {
            break;
        }
        after = last;
    }
    sheet.finish()?;
    Ok(written)
}

/// A value of a column of type `ty` as a typed cell.
fn cell<'a>(ty: &str, value: &'a Value) -> Cell<'a> {
    match (ty, value) {
        (_, Value::Null) => Cell::Empty,
        ("date", Value::String(s)) => {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_or(Cell::Text(s), Cell::Date)
        }
        ("timestamp", Value::String(s)) => {
            DateTime::parse_from_rfc3339(s).map_or(Cell::Text(s), |t| Cell::DateTime(t.naive_utc()))
        }
        (_, Value::String(s)) => Cell::Text(s),
        (_, Value::Number(n)) => n.as_f64().map_or(Cell::Empty, Cell::Number),
        (_, Value::Bool(b)) => Cell::Text(if *b { "true" } else { "false" }),
        _ => Cell::Empty,
    }
}
