//! Spreadsheets people open in Excel or LibreOffice: the tables of a workbook written with
//! `rust_xlsxwriter` the same way everywhere (a bold, frozen header row with an autofilter,
//! typed cells, column widths from the content), and workbooks that come back read with
//! `calamine` behind size limits ([`read`]).
//!
//! Text is always a text cell, never a formula; text a spreadsheet would take for a formula
//! when it is edited (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) also
//! carries Excel's quote prefix, so it stays text after an edit. The value itself is kept as
//! it is, unlike the CSV export, which has to add a `'`.

pub mod read;

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{ColNum, Format, FormatAlign, RowNum, Workbook, Worksheet, XlsxError};

use crate::error::ApiError;

/// The media type of an Excel workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An Excel workbook (.xlsx) the service writes, as the contract describes the body.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Spreadsheet(pub Vec<u8>);

/// A filled-in Excel workbook (.xlsx) sent back, at most 5 MiB.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct WorkbookUpload(pub Vec<u8>);

/// A Word document (.docx), as the contract describes the body.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct WordDocument(pub Vec<u8>);

/// The widest a column is made, in characters; longer text wraps.
const WIDTH_MAX: usize = 60;

/// One cell of a table row.
pub enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Date(NaiveDate),
    /// A moment, in UTC (spreadsheets have no time zones).
    DateTime(NaiveDateTime),
    Empty,
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(text: &'a str) -> Self {
        Cell::Text(text)
    }
}

impl<'a> From<&'a String> for Cell<'a> {
    fn from(text: &'a String) -> Self {
        Cell::Text(text)
    }
}

impl<'a> From<Option<&'a str>> for Cell<'a> {
    fn from(text: Option<&'a str>) -> Self {
        text.map_or(Cell::Empty, Cell::Text)
    }
}

impl From<i32> for Cell<'_> {
    fn from(number: i32) -> Self {
        Cell::Number(f64::from(number))
    }
}

impl From<usize> for Cell<'_> {
    fn from(number: usize) -> Self {
        Cell::Number(number as f64)
    }
}

impl From<Option<i32>> for Cell<'_> {
    fn from(number: Option<i32>) -> Self {
        number.map_or(Cell::Empty, Cell::from)
    }
}

impl From<Option<NaiveDate>> for Cell<'_> {
    fn from(date: Option<NaiveDate>) -> Self {
        date.map_or(Cell::Empty, Cell::Date)
    }
}

/// Whether a spreadsheet would read `text`, typed into a cell, as a formula.
pub fn formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The formats every table shares.
pub struct Formats {
    header: Format,
    text: Format,
    quoted: Format,
    date: Format,
    datetime: Format,
}

impl Formats {
    /// The formats; `unlocked` for the cells a protected sheet lets people fill.
    fn new(unlocked: bool) -> Self {
        let base = if unlocked {
            Format::new().set_unlocked()
        } else {
            Format::new()
        };
        let text = base.clone().set_text_wrap().set_align(FormatAlign::Top);
        Self {
            header: Format::new().set_bold().set_text_wrap(),
            quoted: text.clone().set_quote_prefix(),
            datetime: base
                .clone()
                .set_num_format("yyyy-mm-dd hh:mm:ss")
                .set_align(FormatAlign::Top),
            date: base
                .set_num_format("dd-mm-yyyy")
                .set_align(FormatAlign::Top),
            text,
        }
    }
}

/// A table on its own sheet: the header in row 1, frozen, with an autofilter over the rows
/// written; each column as wide as its content (within limits).
pub struct Table<'a> {
    sheet: &'a mut Worksheet,
    formats: Formats,
    unlocked: Formats,
    /// The columns people may fill in a protected sheet.
    open: Vec<bool>,
    widths: Vec<usize>,
    row: RowNum,
}

impl<'a> Table<'a> {
    /// A new sheet `name` with the header `columns`.
    pub fn new(workbook: &'a mut Workbook, name: &str, columns: &[&str]) -> Result<Self, ApiError> {
        Self::on(workbook.add_worksheet(), name, columns)
    }

    /// Like [`Table::new`], for a table of any length: each row goes to a temporary file as
    /// it is written, so memory stays flat however many rows.
    pub fn streaming(
        workbook: &'a mut Workbook,
        name: &str,
        columns: &[&str],
    ) -> Result<Self, ApiError> {
        Self::on(
            workbook
                .add_worksheet_with_constant_memory()
                .map_err(failed)?,
            name,
            columns,
        )
    }

    /// A table on a sheet added before (to keep its place in the workbook).
    pub fn on(sheet: &'a mut Worksheet, name: &str, columns: &[&str]) -> Result<Self, ApiError> {
        sheet.set_name(name).map_err(failed)?;
        let formats = Formats::new(false);
        for (col, title) in columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, col as ColNum, *title, &formats.header)
                .map_err(failed)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(failed)?;
        Ok(Self {
            sheet,
            formats,
            unlocked: Formats::new(true),
            open: vec![false; columns.len()],
            widths: columns.iter().map(|c| c.chars().count().max(8)).collect(),
            row: 1,
        })
    }

    /// Lets people fill column `col` when the sheet is protected.
    pub fn open_column(&mut self, col: usize) {
        self.open[col] = true;
    }

    /// The sheet, for what only some tables need (validation, protection, hidden columns).
    pub fn sheet(&mut self) -> &mut Worksheet {
        self.sheet
    }

    /// The row the next [`Table::row`] writes (0-based; the header is row 0).
    pub fn next_row(&self) -> RowNum {
        self.row
    }

    /// Writes a row of cells.
    pub fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), ApiError> {
        for (col, cell) in cells.iter().enumerate() {
            let formats = if self.open.get(col).copied().unwrap_or(false) {
                &self.unlocked
            } else {
                &self.formats
            };
            let c = col as ColNum;
            let width = match cell {
                Cell::Text(text) => {
                    let format = if formula_like(text) {
                        &formats.quoted
                    } else {
                        &formats.text
                    };
                    self.sheet
                        .write_string_with_format(self.row, c, *text, format)
                        .map_err(failed)?;
                    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
                }
                Cell::Number(number) => {
                    self.sheet
                        .write_number_with_format(self.row, c, *number, &formats.text)
                        .map_err(failed)?;
                    6
                }
                Cell::Date(date) => {
                    self.sheet
                        .write_date_with_format(self.row, c, date, &formats.date)
                        .map_err(failed)?;
                    10
                }
                Cell::DateTime(moment) => {
                    self.sheet
                        .write_datetime_with_format(self.row, c, moment, &formats.datetime)
                        .map_err(failed)?;
                    19
                }
                Cell::Empty => {
                    if self.open.get(col).copied().unwrap_or(false) {
                        self.sheet
                            .write_blank(self.row, c, &formats.text)
                            .map_err(failed)?;
                    }
                    0
                }
            };
            if let Some(w) = self.widths.get_mut(col) {
                *w = (*w).max(width);
            }
        }
        self.row += 1;
        Ok(())
    }

    /// Sets the widths and the autofilter over what was written.
    pub fn finish(self) -> Result<(), ApiError> {
        for (col, width) in self.widths.iter().enumerate() {
            let width = (*width).min(WIDTH_MAX) + 2;
            self.sheet
                .set_column_width(col as ColNum, width as f64)
                .map_err(failed)?;
        }
        let last_col = self.widths.len().saturating_sub(1) as ColNum;
        self.sheet
            .autofilter(0, 0, self.row.max(1) - 1, last_col)
            .map_err(failed)?;
        Ok(())
    }
}

/// A workbook as bytes.
pub fn save(workbook: &mut Workbook) -> Result<Vec<u8>, ApiError> {
    workbook.save_to_buffer().map_err(failed)
}

/// A writer error is the service's own fault: the data it writes is checked before.
pub fn failed(error: XlsxError) -> ApiError {
    ApiError::internal("workbook", error)
}
