//! A department's worklist as a spreadsheet, and back: the form has a row per item the
//! department owes, last year's values beside the answer columns (drop-downs and number
//! ranges), a hidden key per row, a sheet for new actions, and the year and department on a
//! hidden sheet. Read back,
//! every answered row is written as its own `PUT` would write it (validation, department
//! scope, review, audit event), in one transaction; a sheet edited in the wrong places is
//! refused with the cells named, and nothing is written.

use std::collections::HashMap;

use calamine::Data;
use diesel::pg::PgConnection;
use rust_xlsxwriter::{DataValidation, DataValidationRule, ProtectionOptions, Workbook};
use serde::Serialize;
use utoipa::ToSchema;

use super::worklist::{self, ItemKind, ItemState, ItemValues, WorklistItem};
use crate::actions::statuses::dto::{Progress, StatusInput};
use crate::actions::upserts::dto::{Change, UpsertOutcome};
use crate::api::limits::{ERRORS_MAX, NOTE_MAX, PROGRESS_MAX, SCORE_MAX, WORKLIST_ROWS_MAX};
use crate::api::Precondition;
use crate::audits::recommendations::dto::{Implementation, RecommendationStatusInput};
use crate::auth::Principal;
use crate::error::{ApiError, FieldError};
use crate::office::read::{Sheet, Workbook as ReadBook};
use crate::office::{self, Cell, Table};
use crate::reports::document::{implementation_word, progress_label, risk_status_label};
use crate::risks::assessments::dto::{AssessmentInput, RiskStatus};

/// The sheet with the items.
const ITEMS: &str = "Werklijst";
/// The hidden sheet that says whose worklist of which year it is.
const ABOUT: &str = "Gegevens";
/// The sheet where a department adds actions it plans that are not on its worklist yet.
const NEW: &str = "Nieuwe acties";
/// The hidden sheet with the domains the new actions' drop-down offers.
const DOMAINS: &str = "Domeinen";
/// The columns of the new actions sheet.
const NEW_COLUMNS: [&str; 5] = ["Titel", "Domein", "Status", "Voortgang (%)", "Toelichting"];
/// The rows the new actions sheet offers (and reads, at most).
const NEW_ROWS: u32 = 200;

/// The columns of the items sheet, in order. The answer columns are [`STATUS`] to [`NOTE`].
const COLUMNS: [&str; 16] = [
    "Soort",
    "Nr",
    "Titel",
    "Stand",
    "Vorig jaar: status",
    "Vorig jaar: voortgang (%)",
    "Vorig jaar: kans",
    "Vorig jaar: impact",
    "Vorig jaar: toelichting",
    "Opmerking van de beoordelaar",
    "Status",
    "Voortgang (%)",
    "Kans (1-5)",
    "Impact (1-5)",
    "Toelichting",
    "Sleutel",
];
const NUMBER: u16 = 1;
const STATUS: u16 = 10;
const PROGRESS: u16 = 11;
const LIKELIHOOD: u16 = 12;
const IMPACT: u16 = 13;
const NOTE: u16 = 14;
const KEY: u16 = 15;

/// The statuses a row may take, by kind: their Dutch words (the report's) and their names in
/// the API (which the import reads too).
fn statuses(kind: ItemKind) -> Vec<(&'static str, &'static str)> {
    match kind {
        ItemKind::ActionStatus => [
            Progress::Planned,
            Progress::InProgress,
            Progress::Realised,
            Progress::Postponed,
            Progress::Cancelled,
        ]
        .map(|p| (progress_label(p), p.as_str()))
        .to_vec(),
        ItemKind::RiskAssessment => [
            RiskStatus::Open,
            RiskStatus::Monitoring,
            RiskStatus::Mitigated,
            RiskStatus::Closed,
        ]
        .map(|r| (risk_status_label(r), r.as_str()))
        .to_vec(),
        ItemKind::RecommendationStatus => [
            Implementation::Open,
            Implementation::InProgress,
            Implementation::Implemented,
            Implementation::PartlyImplemented,
            Implementation::NotImplemented,
            Implementation::RiskAccepted,
        ]
        .map(|i| (implementation_word(i), i.as_str()))
        .to_vec(),
    }
}

/// The Dutch word of `status`, a status of an item of `kind`.
fn word(kind: ItemKind, status: &str) -> &str {
    statuses(kind)
        .into_iter()
        .find(|(_, api)| *api == status)
        .map_or(status, |(dutch, _)| dutch)
}

fn kind_word(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::ActionStatus => "Actie",
        ItemKind::RiskAssessment => "Risico",
        ItemKind::RecommendationStatus => "Aanbeveling",
    }
}

fn state_word(state: ItemState) -> &'static str {
    match state {
        ItemState::Owed => "te beantwoorden",
        ItemState::Returned => "teruggestuurd",
        ItemState::Submitted => "ingediend",
        ItemState::Approved => "goedgekeurd",
        ItemState::Answered => "beantwoord",
    }
}

/// The items of `department`'s worklist of `year` in `states`, all of them (one statement).
pub fn items(
    conn: &mut PgConnection,
    year: i32,
    department: &str,
    states: Vec<ItemState>,
) -> Result<Vec<WorklistItem>, ApiError> {
    let found = worklist::page(
        conn,
        year,
        Some(vec![department.to_string()]),
        states,
        None,
        WORKLIST_ROWS_MAX as i64 + 1,
    )?;
    if found.len() > WORKLIST_ROWS_MAX {
        return Err(ApiError::PayloadTooLarge(format!(
            "The worklist has more than {WORKLIST_ROWS_MAX} items; page it as JSON instead."
        )));
    }
    Ok(found)
}

/// The domains as (id, name), in report order: the new actions' drop-down.
pub fn domains(conn: &mut PgConnection) -> Result<Vec<(String, String)>, ApiError> {
    use crate::db::schema::domains::dsl;
    use diesel::prelude::*;
    Ok(dsl::domains
        .order((dsl::position, dsl::id))
        .select((dsl::id, dsl::name))
        .load(conn)?)
}

/// The form of `department`'s worklist of `year` with `items` (those still owed), and a sheet
/// for new actions in one of `domains`.
pub fn form(
    year: i32,
    department: &str,
    items: &[WorklistItem],
    domains: &[(String, String)],
) -> Result<Vec<u8>, ApiError> {
    let mut workbook = Workbook::new();
    let mut table = Table::new(&mut workbook, ITEMS, &COLUMNS)?;
    for col in STATUS..=NOTE {
        table.open_column(usize::from(col));
    }
    let mut blocks: Vec<(ItemKind, u32, u32)> = Vec::new();
    for item in items {
        let row = table.next_row();
        match blocks.last_mut() {
            Some((kind, _, last)) if *kind == item.kind => *last = row,
            _ => blocks.push((item.kind, row, row)),
        }
        let previous = item.previous.as_ref();
        let current = item.current.as_ref();
        let key = format!("{}/{}", item.kind.as_str(), item.id);
        let pick = |values: Option<&ItemValues>, f: fn(&ItemValues) -> Option<i32>| {
            Cell::from(values.and_then(f))
        };
        table.row(&[
            kind_word(item.kind).into(),
            item.id.into(),
            (&item.title).into(),
            state_word(item.state).into(),
            previous.map(|p| word(item.kind, &p.status)).into(),
            pick(previous, |v| v.progress),
            pick(previous, |v| v.likelihood),
            pick(previous, |v| v.impact),
            previous.and_then(|p| p.note.as_deref()).into(),
            item.review_note.as_deref().into(),
            current.map(|c| word(item.kind, &c.status)).into(),
            pick(current, |v| v.progress),
            pick(current, |v| v.likelihood),
            pick(current, |v| v.impact),
            current.and_then(|c| c.note.as_deref()).into(),
            Cell::from(key.as_str()),
        ])?;
    }
    let sheet = table.sheet();
    for (kind, first, last) in &blocks {
        let words: Vec<&str> = statuses(*kind).iter().map(|(dutch, _)| *dutch).collect();
        let list = DataValidation::new()
            .allow_list_strings(&words)
            .map_err(office::failed)?
            .set_error_title("Status")
            .map_err(office::failed)?
            .set_error_message(format!("Kies een van: {}.", words.join(", ")))
            .map_err(office::failed)?;
        sheet
            .add_data_validation(*first, STATUS, *last, STATUS, &list)
            .map_err(office::failed)?;
        let range = |max: i32, message: &str| -> Result<DataValidation, ApiError> {
            DataValidation::new()
                .allow_whole_number(DataValidationRule::Between(
                    if max == PROGRESS_MAX { 0 } else { 1 },
                    max,
                ))
                .set_error_message(message)
                .map_err(office::failed)
        };
        if *kind == ItemKind::ActionStatus {
            let progress = range(PROGRESS_MAX, "Een geheel getal van 0 tot 100.")?;
            sheet
                .add_data_validation(*first, PROGRESS, *last, PROGRESS, &progress)
                .map_err(office::failed)?;
        }
        if *kind == ItemKind::RiskAssessment {
            let score = range(SCORE_MAX, "Een geheel getal van 1 tot 5.")?;
            sheet
                .add_data_validation(*first, LIKELIHOOD, *last, IMPACT, &score)
                .map_err(office::failed)?;
        }
    }
    sheet.set_column_hidden(KEY).map_err(office::failed)?;
    sheet.protect_with_options(&ProtectionOptions {
        use_autofilter: true,
        sort: true,
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    });
    table.finish()?;

    let mut new = Table::new(&mut workbook, NEW, &NEW_COLUMNS)?;
    for col in 0..NEW_COLUMNS.len() {
        new.open_column(col);
    }
    for _ in 0..NEW_ROWS {
        new.row(&[
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ])?;
    }
    let sheet = new.sheet();
    let last_domain = domains.len().max(1) + 1;
    let domain_list = DataValidation::new()
        .allow_list_formula(rust_xlsxwriter::Formula::new(format!(
            "={DOMAINS}!$B$2:$B${last_domain}"
        )))
        .set_error_message("Kies een domein uit de lijst.")
        .map_err(office::failed)?;
    sheet
        .add_data_validation(1, 1, NEW_ROWS, 1, &domain_list)
        .map_err(office::failed)?;
    let words: Vec<&str> = statuses(ItemKind::ActionStatus)
        .iter()
        .map(|(dutch, _)| *dutch)
        .collect();
    let status_list = DataValidation::new()
        .allow_list_strings(&words)
        .map_err(office::failed)?;
    sheet
        .add_data_validation(1, 2, NEW_ROWS, 2, &status_list)
        .map_err(office::failed)?;
    let progress = DataValidation::new()
        .allow_whole_number(DataValidationRule::Between(0, PROGRESS_MAX))
        .set_error_message("Een geheel getal van 0 tot 100.")
        .map_err(office::failed)?;
    sheet
        .add_data_validation(1, 3, NEW_ROWS, 3, &progress)
        .map_err(office::failed)?;
    new.finish()?;

    let mut listed = Table::new(&mut workbook, DOMAINS, &["Id", "Domein"])?;
    for (id, name) in domains {
        listed.row(&[id.into(), name.into()])?;
    }
    listed.sheet().set_hidden(true);
    listed.finish()?;

    let mut about = Table::new(&mut workbook, ABOUT, &["Gegeven", "Waarde"])?;
    about.row(&["jaar".into(), year.into()])?;
    about.row(&["dienst".into(), department.into()])?;
    about.sheet().set_hidden(true);
    about.finish()?;
    office::save(&mut workbook)
}

/// An answer read from a row of the sheet.
#[derive(Debug)]
struct Answer {
    /// The 1-based row, as the spreadsheet numbers it.
    row: u32,
    kind: ItemKind,
    id: i32,
    status: &'static str,
    progress: Option<i32>,
    likelihood: Option<i32>,
    impact: Option<i32>,
    note: Option<String>,
}

/// A new action read from a row of the new actions sheet.
#[derive(Debug)]
struct NewRow {
    /// The 1-based row.
    row: u32,
    title: String,
    /// The domain as typed: its name or its id.
    domain: String,
    status: &'static str,
    progress: Option<i32>,
    note: Option<String>,
}

/// What a filled-in worklist says: whose it is and its answers.
#[derive(Debug)]
pub struct Filled {
    year: i32,
    department: String,
    answers: Vec<Answer>,
    new_actions: Vec<NewRow>,
    /// Rows with an item but no answer.
    unanswered: usize,
}

impl Filled {
    /// The department the workbook is the worklist of.
    pub fn department(&self) -> &str {
        &self.department
    }
}

/// The cell's address as a spreadsheet shows it (`Werklijst!K7`).
fn at(sheet: &str, row: u32, col: u16) -> String {
    let mut letters = String::new();
    let mut n = u32::from(col) + 1;
    while n > 0 {
        letters.insert(0, (b'A' + ((n - 1) % 26) as u8) as char);
        n = (n - 1) / 26;
    }
    format!("{sheet}!{letters}{}", row + 1)
}

/// Reads a filled-in worklist of `year`; every misplaced or invalid cell is named in one 422.
pub fn read(bytes: Vec<u8>, year: i32) -> Result<Filled, ApiError> {
    let mut book = ReadBook::open(bytes)?;
    let missing = |name: &str| {
        ApiError::invalid(
            name,
            "this sheet is missing: send back the worklist as it was downloaded",
        )
    };
    let about = book.sheet(ABOUT)?.ok_or_else(|| missing(ABOUT))?;
    let sheet = book.sheet(ITEMS)?.ok_or_else(|| missing(ITEMS))?;
    let mut errors = Vec::new();
    let found_year = match about.value(1, 1) {
        Data::Float(f) if f.fract() == 0.0 => Some(*f as i32),
        Data::Int(i) => i32::try_from(*i).ok(),
        _ => None,
    };
    if found_year != Some(year) {
        errors.push(FieldError::new(
            at(ABOUT, 1, 1),
            format!("this is not the worklist of {year}"),
        ));
    }
    let department = match about.value(2, 1) {
        Data::String(s) if !s.is_empty() => s.clone(),
        _ => {
            errors.push(FieldError::new(
                at(ABOUT, 2, 1),
                "the department is missing",
            ));
            String::new()
        }
    };
    for (col, title) in COLUMNS.iter().enumerate() {
        if text(sheet.value(0, col as u32)).as_deref() != Some(*title) {
            errors.push(FieldError::new(
                at(ITEMS, 0, col as u16),
                format!("the column must be `{title}`: columns may not be moved"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::from_field_errors(errors));
    }
    if sheet.rows() as usize > WORKLIST_ROWS_MAX + 1 {
        return Err(ApiError::PayloadTooLarge(format!(
            "The sheet {ITEMS} has {} rows; a worklist has at most {WORKLIST_ROWS_MAX}.",
            sheet.rows()
        )));
    }
    let mut answers = Vec::new();
    let mut unanswered = 0;
    for row in 1..sheet.rows() {
        if let Some(answer) = answer(&sheet, row, &mut errors, &mut unanswered) {
            answers.push(answer);
        }
        if errors.len() >= ERRORS_MAX as usize {
            break;
        }
    }
    let new_actions = match book.sheet(NEW)? {
        Some(new) => new_rows(&new, &mut errors),
        None => Vec::new(),
    };
    if !errors.is_empty() {
        return Err(ApiError::from_field_errors(errors));
    }
    Ok(Filled {
        year,
        department,
        answers,
        new_actions,
        unanswered,
    })
}

/// The filled rows of the new actions sheet; errors name their cells.
fn new_rows(sheet: &Sheet, errors: &mut Vec<FieldError>) -> Vec<NewRow> {
    let mut found = Vec::new();
    for (col, title) in NEW_COLUMNS.iter().enumerate() {
        if text(sheet.value(0, col as u32)).as_deref() != Some(*title) {
            errors.push(FieldError::new(
                at(NEW, 0, col as u16),
                format!("the column must be `{title}`: columns may not be moved"),
            ));
        }
    }
    let mut titles: Vec<(String, u32)> = Vec::new();
    for row in 1..sheet.rows() {
        let cells: Vec<Option<String>> = (0..NEW_COLUMNS.len() as u32)
            .map(|col| text(sheet.value(row, col)))
            .collect();
        if cells.iter().all(Option::is_none) {
            continue;
        }
        if row > NEW_ROWS {
            errors.push(FieldError::new(
                at(NEW, row, 0),
                format!("at most {NEW_ROWS} new actions are read at once"),
            ));
            break;
        }
        let before = errors.len();
        for col in 0..NEW_COLUMNS.len() as u16 {
            if sheet.has_formula(row, u32::from(col)) {
                errors.push(FieldError::new(
                    at(NEW, row, col),
                    "holds a formula: type the value itself",
                ));
            }
        }
        let title = cells[0].clone().unwrap_or_default();
        if let Err(e) = crate::api::validate::title(&title) {
            let message = e
                .message
                .map_or_else(|| "is required".to_string(), |m| m.to_string());
            errors.push(FieldError::new(at(NEW, row, 0), message));
        } else if let Some((_, first)) = titles
            .iter()
            .find(|(t, _)| t.to_lowercase() == title.to_lowercase())
        {
            errors.push(FieldError::new(
                at(NEW, row, 0),
                format!("names the same action as row {first}"),
            ));
        }
        titles.push((title.clone(), row + 1));
        let domain = cells[1].clone().unwrap_or_default();
        if domain.is_empty() {
            errors.push(FieldError::new(
                at(NEW, row, 1),
                "is required: choose a domain",
            ));
        }
        let status = match cells[2].as_deref().map(str::to_lowercase) {
            None => {
                errors.push(FieldError::new(at(NEW, row, 2), "is required"));
                None
            }
            Some(given) => {
                let found = statuses(ItemKind::ActionStatus)
                    .iter()
                    .find(|(dutch, api)| given == *dutch || given == *api)
                    .map(|(_, api)| *api);
                if found.is_none() {
                    errors.push(FieldError::new(
                        at(NEW, row, 2),
                        format!("`{given}` is not a status of an action"),
                    ));
                }
                found
            }
        };
        let progress = number_in(sheet, NEW, row, 3, (0, PROGRESS_MAX), errors);
        let note = cells[4].clone();
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > NOTE_MAX as usize)
        {
            errors.push(FieldError::new(
                at(NEW, row, 4),
                format!("is longer than {NOTE_MAX} characters"),
            ));
        }
        if errors.len() == before {
            if let Some(status) = status {
                found.push(NewRow {
                    row: row + 1,
                    title,
                    domain,
                    status,
                    progress,
                    note,
                });
            }
        }
    }
    found
}

/// The text of a cell, trimmed; `None` when empty.
fn text(cell: &Data) -> Option<String> {
    match cell {
        Data::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Data::Float(f) if f.fract() == 0.0 => Some(format!("{f:.0}")),
        Data::Float(f) => Some(f.to_string()),
        Data::Int(i) => Some(i.to_string()),
        Data::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The whole number in a cell of the items sheet within `min..=max`, or an error naming it.
fn number(
    sheet: &Sheet,
    row: u32,
    col: u16,
    range: (i32, i32),
    errors: &mut Vec<FieldError>,
) -> Option<i32> {
    number_in(sheet, ITEMS, row, col, range, errors)
}

/// The whole number in a cell of the sheet `name` within `min..=max`, or an error naming it.
fn number_in(
    sheet: &Sheet,
    name: &str,
    row: u32,
    col: u16,
    range: (i32, i32),
    errors: &mut Vec<FieldError>,
) -> Option<i32> {
    let value = match sheet.value(row, u32::from(col)) {
        Data::Empty => return None,
        Data::Float(f) if f.fract() == 0.0 => Some(*f as i64),
        Data::Int(i) => Some(*i),
        Data::String(s) if s.trim().is_empty() => return None,
        Data::String(s) => s.trim().trim_end_matches('%').trim().parse::<i64>().ok(),
        _ => None,
    };
    match value {
        Some(v) if (i64::from(range.0)..=i64::from(range.1)).contains(&v) => Some(v as i32),
        _ => {
            errors.push(FieldError::new(
                at(name, row, col),
                format!("must be a whole number from {} to {}", range.0, range.1),
            ));
            None
        }
    }
}

/// The answer of one row, or `None` for an empty or unanswered row (errors are collected).
fn answer(
    sheet: &Sheet,
    row: u32,
    errors: &mut Vec<FieldError>,
    unanswered: &mut usize,
) -> Option<Answer> {
    let before = errors.len();
    for col in STATUS..=KEY {
        if sheet.has_formula(row, u32::from(col)) {
            errors.push(FieldError::new(
                at(ITEMS, row, col),
                "holds a formula: type the value itself",
            ));
        }
    }
    let key = text(sheet.value(row, u32::from(KEY)));
    let answered = (STATUS..=NOTE).any(|col| text(sheet.value(row, u32::from(col))).is_some());
    let Some(key) = key else {
        if answered || text(sheet.value(row, u32::from(NUMBER))).is_some() {
            errors.push(FieldError::new(
                at(ITEMS, row, KEY),
                "the row has no key: rows may not be added here; new actions go on the sheet `Nieuwe acties`",
            ));
        }
        return None;
    };
    let parsed = key
        .split_once('/')
        .and_then(|(kind, id)| Some((kind.parse::<ItemKind>().ok()?, id.parse::<i32>().ok()?)));
    let Some((kind, id)) = parsed else {
        errors.push(FieldError::new(
            at(ITEMS, row, KEY),
            "is not a key of this worklist: the hidden key column was edited",
        ));
        return None;
    };
    if text(sheet.value(row, u32::from(NUMBER))) != Some(id.to_string()) {
        errors.push(FieldError::new(
            at(ITEMS, row, NUMBER),
            "does not match the row's hidden key: keys were moved between rows",
        ));
    }
    if !answered {
        *unanswered += 1;
        return None;
    }
    let status = match text(sheet.value(row, u32::from(STATUS))) {
        None => {
            errors.push(FieldError::new(
                at(ITEMS, row, STATUS),
                "is required when the row is answered",
            ));
            None
        }
        Some(given) => {
            let lower = given.to_lowercase();
            let found = statuses(kind)
                .iter()
                .find(|(dutch, api)| lower == *dutch || lower == *api)
                .map(|(_, api)| *api);
            if found.is_none() {
                let words: Vec<&str> = statuses(kind).iter().map(|(d, _)| *d).collect();
                errors.push(FieldError::new(
                    at(ITEMS, row, STATUS),
                    format!(
                        "`{given}` is not a status of this row: one of {}",
                        words.join(", ")
                    ),
                ));
            }
            found
        }
    };
    let progress = number(sheet, row, PROGRESS, (0, PROGRESS_MAX), errors);
    let likelihood = number(sheet, row, LIKELIHOOD, (1, SCORE_MAX), errors);
    let impact = number(sheet, row, IMPACT, (1, SCORE_MAX), errors);
    let only = |col: u16, given: bool, of: ItemKind, what: &str, errors: &mut Vec<FieldError>| {
        if given && kind != of {
            errors.push(FieldError::new(
                at(ITEMS, row, col),
                format!("is only for {what}: leave it empty"),
            ));
        }
    };
    only(
        PROGRESS,
        progress.is_some(),
        ItemKind::ActionStatus,
        "an action",
        errors,
    );
    only(
        LIKELIHOOD,
        likelihood.is_some(),
        ItemKind::RiskAssessment,
        "a risk",
        errors,
    );
    only(
        IMPACT,
        impact.is_some(),
        ItemKind::RiskAssessment,
        "a risk",
        errors,
    );
    let note = match sheet.value(row, u32::from(NOTE)) {
        Data::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Data::Empty => None,
        other => text(other),
    };
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > NOTE_MAX as usize)
    {
        errors.push(FieldError::new(
            at(ITEMS, row, NOTE),
            format!("is longer than {NOTE_MAX} characters"),
        ));
    }
    if errors.len() > before {
        return None;
    }
    Some(Answer {
        row: row + 1,
        kind,
        id,
        status: status?,
        progress,
        likelihood,
        impact,
        note,
    })
}

/// The sheet of an imported row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum ImportedSheet {
    /// An item of the worklist answered.
    #[serde(rename = "Werklijst")]
    Items,
    /// A new action added.
    #[serde(rename = "Nieuwe acties")]
    NewActions,
}

/// What the import did, or would do, with one answered row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedItem {
    /// The sheet: `Werklijst` (an item answered) or `Nieuwe acties` (an action added).
    #[schema(example = "Werklijst")]
    pub sheet: ImportedSheet,
    /// The row of the sheet, as the spreadsheet numbers it.
    #[schema(example = 7)]
    pub row: u32,
    /// What the row answers.
    #[schema(example = "action_status")]
    pub kind: ItemKind,
    /// The action, risk or recommendation.
    #[schema(example = 12)]
    pub id: i32,
    /// `created` (the year had no row yet; for a new action, the action is new), `updated`
    /// or `unchanged` (nothing is written: a returned answer stays returned until it changes,
    /// as with its PUT).
    #[schema(example = "created")]
    pub outcome: UpsertOutcome,
    /// The fields written, before and after (empty when unchanged).
    pub changes: Vec<Change>,
}

/// What an import did, or would do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportResult {
    /// Whether this was a dry run (nothing written).
    #[schema(example = true)]
    pub dry_run: bool,
    /// The report year.
    #[schema(example = 2023)]
    pub year: i32,
    /// The department whose worklist it is.
    #[schema(example = "personeel")]
    pub department_id: String,
    /// Each answered row.
    pub items: Vec<ImportedItem>,
    /// Rows written for the first time.
    #[schema(example = 3)]
    pub created: usize,
    /// Rows whose answer changed.
    #[schema(example = 1)]
    pub updated: usize,
    /// Rows answered as they already were.
    #[schema(example = 0)]
    pub unchanged: usize,
    /// Rows left empty.
    #[schema(example = 2)]
    pub unanswered: usize,
    /// New actions added (a subset of `created`).
    #[schema(example = 1)]
    pub added: usize,
}

/// Writes the answers of `filled` as `principal`, each as its `PUT` would, in the caller's
/// transaction; the first failing row stops the import with its row named.
pub fn import(
    conn: &mut PgConnection,
    principal: &Principal,
    filled: Filled,
    dry_run: bool,
) -> Result<ImportResult, ApiError> {
    let year = filled.year;
    let known: HashMap<(&'static str, i32), WorklistItem> = items(
        conn,
        year,
        &filled.department,
        vec![
            ItemState::Owed,
            ItemState::Returned,
            ItemState::Submitted,
            ItemState::Approved,
            ItemState::Answered,
        ],
    )?
    .into_iter()
    .map(|item| ((item.kind.as_str(), item.id), item))
    .collect();
    let mut seen: HashMap<(&'static str, i32), u32> = HashMap::new();
    let mut errors = Vec::new();
    for answer in &filled.answers {
        let key = (answer.kind.as_str(), answer.id);
        if !known.contains_key(&key) {
            errors.push(FieldError::new(
                at(ITEMS, answer.row - 1, KEY),
                format!(
                    "{} {} is not on the worklist of `{}` for {year}",
                    kind_word(answer.kind),
                    answer.id,
                    filled.department
                ),
            ));
        } else if let Some(first) = seen.insert(key, answer.row) {
            errors.push(FieldError::new(
                at(ITEMS, answer.row - 1, KEY),
                format!("answers the same item as row {first}"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::from_field_errors(errors));
    }
    let mut result = ImportResult {
        dry_run,
        year,
        department_id: filled.department.clone(),
        items: Vec::new(),
        created: 0,
        updated: 0,
        unchanged: 0,
        unanswered: filled.unanswered,
        added: 0,
    };
    for answer in filled.answers {
        let item = &known[&(answer.kind.as_str(), answer.id)];
        let changes = changes(item.current.as_ref(), &answer);
        let outcome = match (&item.current, changes.is_empty()) {
            (None, _) => UpsertOutcome::Created,
            (Some(_), false) => UpsertOutcome::Updated,
            (Some(_), true) => UpsertOutcome::Unchanged,
        };
        if outcome != UpsertOutcome::Unchanged {
            write(conn, principal, year, &answer).map_err(|e| in_row(e, &answer))?;
        }
        match outcome {
            UpsertOutcome::Created => result.created += 1,
            UpsertOutcome::Updated => result.updated += 1,
            UpsertOutcome::Unchanged => result.unchanged += 1,
        }
        result.items.push(ImportedItem {
            sheet: ImportedSheet::Items,
            row: answer.row,
            kind: answer.kind,
            id: answer.id,
            outcome,
            changes,
        });
    }
    let domains = domains(conn)?;
    for new in filled.new_actions {
        let imported = add(conn, principal, year, &filled.department, &domains, new)?;
        match imported.outcome {
            UpsertOutcome::Created => {
                result.created += 1;
                result.added += 1;
            }
            UpsertOutcome::Updated => result.updated += 1,
            UpsertOutcome::Unchanged => result.unchanged += 1,
        }
        result.items.push(imported);
    }
    Ok(result)
}

/// The stable reference of a new action from a department's worklist: the same title in the
/// same department and year is the same action, so importing the workbook again updates it
/// instead of adding it twice.
fn new_action_ref(year: i32, department: &str, title: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(title.trim().to_lowercase().as_bytes());
    format!(
        "werklijst-{year}-{department}-{}",
        &hex::encode(digest)[..12]
    )
}

/// Adds the action of a new actions row with its status of `year` (or, when an earlier import
/// added it, writes only that status, as the items sheet would).
fn add(
    conn: &mut PgConnection,
    principal: &Principal,
    year: i32,
    department: &str,
    domains: &[(String, String)],
    new: NewRow,
) -> Result<ImportedItem, ApiError> {
    let cell = |col: u16| at(NEW, new.row - 1, col);
    let wanted = new.domain.to_lowercase();
    let Some((domain_id, _)) = domains
        .iter()
        .find(|(id, name)| id.to_lowercase() == wanted || name.to_lowercase() == wanted)
    else {
        return Err(ApiError::invalid(
            cell(1),
            format!("`{}` is not a domain", new.domain),
        ));
    };
    let external_ref = new_action_ref(year, department, &new.title);
    let answer = Answer {
        row: new.row,
        kind: ItemKind::ActionStatus,
        id: 0,
        status: new.status,
        progress: new.progress,
        likelihood: None,
        impact: None,
        note: new.note,
    };
    let in_new = |error: ApiError| match error {
        ApiError::Validation { errors, .. } => ApiError::from_field_errors(
            errors
                .into_iter()
                .map(|e| FieldError::new(cell(0), format!("{}: {}", e.field, e.message)))
                .collect(),
        ),
        ApiError::Forbidden(detail) => {
            ApiError::Forbidden(format!("{NEW} row {}: {detail}", new.row))
        }
        ApiError::Conflict(detail) => {
            ApiError::Conflict(format!("{NEW} row {}: {detail}", new.row))
        }
        other => other,
    };
    let existing = crate::actions::repo::find_by_external_ref(conn, &external_ref)?;
    let (id, created) = match existing {
        Some(id) => (id, false),
        None => {
            let action = crate::actions::repo::create(
                conn,
                principal,
                crate::actions::dto::NewAction {
                    external_ref: Some(external_ref),
                    title: new.title.trim().to_string(),
                    description: None,
                    domain_ids: vec![domain_id.clone()],
                    parent_id: None,
                    risk_ids: Vec::new(),
                    theme_codes: Vec::new(),
                    department_id: Some(department.to_string()),
                    plan_ref: None,
                },
            )
            .map_err(in_new)?;
            (action.id, true)
        }
    };
    let current = crate::actions::statuses::repo::current(conn, id, year)?.map(|s| ItemValues {
        status: s.status.as_str().to_string(),
        progress: s.progress,
        likelihood: None,
        impact: None,
        note: s.note,
    });
    let answer = Answer { id, ..answer };
    let mut changes = changes(current.as_ref(), &answer);
    if created {
        changes.insert(
            0,
            Change {
                field: "title".into(),
                before: serde_json::Value::Null,
                after: new.title.trim().into(),
            },
        );
    }
    let outcome = match (created || current.is_none(), changes.is_empty()) {
        (true, _) => UpsertOutcome::Created,
        (false, false) => UpsertOutcome::Updated,
        (false, true) => UpsertOutcome::Unchanged,
    };
    if outcome != UpsertOutcome::Unchanged {
        write(conn, principal, year, &answer).map_err(in_new)?;
    }
    Ok(ImportedItem {
        sheet: ImportedSheet::NewActions,
        row: new.row,
        kind: ItemKind::ActionStatus,
        id,
        outcome,
        changes,
    })
}

/// The fields an answer changes against the year's current values.
fn changes(current: Option<&ItemValues>, answer: &Answer) -> Vec<Change> {
    let mut found = Vec::new();
    let mut compare = |field: &str, before: serde_json::Value, after: serde_json::Value| {
        if before != after {
            found.push(Change {
                field: field.to_string(),
                before,
                after,
            });
        }
    };
    let was = |f: fn(&ItemValues) -> serde_json::Value| current.map_or(serde_json::Value::Null, f);
    compare(
        "status",
        was(|c| c.status.clone().into()),
        answer.status.into(),
    );
    if answer.kind == ItemKind::ActionStatus {
        compare(
            "progress",
            was(|c| c.progress.into()),
            answer.progress.into(),
        );
    }
    if answer.kind == ItemKind::RiskAssessment {
        compare(
            "likelihood",
            was(|c| c.likelihood.into()),
            answer.likelihood.into(),
        );
        compare("impact", was(|c| c.impact.into()), answer.impact.into());
    }
    compare(
        "note",
        was(|c| c.note.clone().into()),
        answer.note.clone().into(),
    );
    found
}

/// Writes one answer as its `PUT` does.
fn write(
    conn: &mut PgConnection,
    principal: &Principal,
    year: i32,
    answer: &Answer,
) -> Result<(), ApiError> {
    let none = Precondition::default();
    let invalid = || ApiError::internal("worklist import", "a status word without a status");
    match answer.kind {
        ItemKind::ActionStatus => {
            let input = StatusInput {
                status: answer.status.parse::<Progress>().map_err(|_| invalid())?,
                progress: answer.progress,
                note: answer.note.clone(),
            };
            crate::actions::statuses::repo::put(conn, principal, answer.id, year, input, &none)?;
        }
        ItemKind::RiskAssessment => {
            let input = AssessmentInput {
                likelihood: answer.likelihood,
                impact: answer.impact,
                status: answer.status.parse::<RiskStatus>().map_err(|_| invalid())?,
                note: answer.note.clone(),
            };
            crate::risks::assessments::repo::put(conn, principal, answer.id, year, input, &none)?;
        }
        ItemKind::RecommendationStatus => {
            let input = RecommendationStatusInput {
                status: answer
                    .status
                    .parse::<Implementation>()
                    .map_err(|_| invalid())?,
                note: answer.note.clone(),
            };
            crate::audits::recommendations::repo::put_status(
                conn, principal, answer.id, year, input, &none,
            )?;
        }
    }
    Ok(())
}

/// An error of writing a row, with the row named.
fn in_row(error: ApiError, answer: &Answer) -> ApiError {
    let row = format!("{ITEMS} row {}", answer.row);
    match error {
        ApiError::Validation { errors, .. } => ApiError::from_field_errors(
            errors
                .into_iter()
                .map(|e| {
                    let col = match e.field.as_str() {
                        "status" => STATUS,
                        "progress" => PROGRESS,
                        "likelihood" => LIKELIHOOD,
                        "impact" => IMPACT,
                        _ => NOTE,
                    };
                    FieldError::new(at(ITEMS, answer.row - 1, col), e.message)
                })
                .collect(),
        ),
        ApiError::Forbidden(detail) => ApiError::Forbidden(format!("{row}: {detail}")),
        ApiError::Conflict(detail) => ApiError::Conflict(format!("{row}: {detail}")),
        ApiError::NotFound(detail) => ApiError::NotFound(format!("{row}: {detail}")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::at;

    #[test]
    fn cells_are_named_as_a_spreadsheet_names_them() {
        assert_eq!(at("Werklijst", 0, 0), "Werklijst!A1");
        assert_eq!(at("Werklijst", 6, 10), "Werklijst!K7");
        assert_eq!(at("Werklijst", 9, 26), "Werklijst!AA10");
    }
}
