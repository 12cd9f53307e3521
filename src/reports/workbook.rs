//! The report as an Excel workbook, for the coordinator who filters and sorts: a sheet with
//! the report's facts, an overview with the counts per domain, then one sheet per part
//! (criteria, risks, realisations, planning) with the domain on every row, so that one
//! autofilter spans all domains; the self-evaluation and the recommendations when the report
//! has them. Filled from the same report the JSON serves (for an adopted year, its snapshot).

use rust_xlsxwriter::{DocProperties, Workbook};

use super::document::{
    implementation_label, progress_label, risk_level_label, risk_status_label, status_label,
};
use super::dto::{Report, ReportAction, ReportDomain};
use crate::error::ApiError;
use crate::office::{self, Cell, Table};

/// The workbook of `report`, as bytes.
pub fn render(report: &Report) -> Result<Vec<u8>, ApiError> {
    let mut workbook = Workbook::new();
    let meta = &report.report;
    // a fixed creation time: the same report gives the same bytes
    let created =
        rust_xlsxwriter::ExcelDateTime::from_ymd(meta.year as u16, 1, 1).map_err(office::failed)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&meta.title)
            .set_subject("Voortgangsrapport organisatiebeheersing")
            .set_creation_datetime(&created),
    );
    facts(&mut workbook, report)?;
    overview(&mut workbook, report)?;
    let labels = &report.labels;

    let mut criteria = Table::new(
        &mut workbook,
        &sheet_name(&labels.criteria),
        &["Domein", "Nr", "Criterium"],
    )?;
    for domain in &report.domains {
        for criterion in &domain.criteria.items {
            criteria.row(&[
                (&domain.name).into(),
                criterion.id.into(),
                (&criterion.text).into(),
            ])?;
        }
    }
    criteria.finish()?;

    let mut risks = Table::new(
        &mut workbook,
        &sheet_name(&labels.risks),
        &[
            "Domein",
            "Nr",
            "Risico",
            "Dienst",
            "Status",
            "Kans",
            "Impact",
            "Score",
            "Niveau",
            "Toelichting",
        ],
    )?;
    for domain in &report.domains {
        for risk in &domain.risks.items {
            let a = &risk.assessment;
            risks.row(&[
                (&domain.name).into(),
                risk.id.into(),
                (&risk.title).into(),
                risk.department_id.as_deref().into(),
                risk_status_label(a.status).into(),
                a.likelihood.into(),
                a.impact.into(),
                a.score.into(),
                a.level.map(risk_level_label).into(),
                a.note.as_deref().into(),
            ])?;
        }
    }
    risks.finish()?;

    for (label, pick) in [
        (
            &labels.realisations,
            realisations as fn(&ReportDomain) -> &[ReportAction],
        ),
        (&labels.planning, planning),
    ] {
        let mut sheet = Table::new(
            &mut workbook,
            &sheet_name(label),
            &[
                "Domein",
                "Nr",
                "Actie",
                "Onderdeel van",
                "Dienst",
                "Status",
                "Voortgang (%)",
                "Toelichting",
            ],
        )?;
        for domain in &report.domains {
            for action in pick(domain) {
                action_rows(&mut sheet, domain, action, None)?;
            }
        }
        sheet.finish()?;
    }

    if let Some(section) = &report.self_evaluation {
        let mut sheet = Table::new(
            &mut workbook,
            &sheet_name(&section.label),
            &[
                "Thema",
                "Naam",
                "Score",
                "Niveau",
                "Vorige score",
                "Verschil",
                "Doel",
                "Kloof",
                "Verbeteracties",
            ],
        )?;
        for theme in &section.trend.themes {
            let actions = theme
                .action_ids
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            sheet.row(&[
                (&theme.theme_code).into(),
                (&theme.theme_name).into(),
                theme.score.into(),
                theme.level.as_deref().into(),
                theme.previous.into(),
                theme.change.into(),
                theme.target.into(),
                theme.gap.into(),
                Cell::from(actions.as_str()),
            ])?;
        }
        sheet.finish()?;
    }

    if let Some(follow_up) = &report.recommendations {
        let mut sheet = Table::new(
            &mut workbook,
            &sheet_name(&follow_up.label),
            &[
                "Nr",
                "Audit",
                "Aanbeveling",
                "Dienst",
                "Vervaldag",
                "Stand van zaken",
            ],
        )?;
        for overdue in &follow_up.overdue {
            sheet.row(&[
                overdue.id.into(),
                (&overdue.audit_title).into(),
                (&overdue.text).into(),
                overdue.department_id.as_deref().into(),
                Cell::Date(overdue.due_on),
                implementation_label(overdue.status.as_deref()).into(),
            ])?;
        }
        sheet.finish()?;
    }
    office::save(&mut workbook)
}

fn realisations(domain: &ReportDomain) -> &[ReportAction] {
    &domain.realisations.items
}

fn planning(domain: &ReportDomain) -> &[ReportAction] {
    &domain.planning.items
}

/// An action's row, then its sub-actions' rows with the action as their parent.
fn action_rows(
    sheet: &mut Table<'_>,
    domain: &ReportDomain,
    action: &ReportAction,
    parent: Option<&str>,
) -> Result<(), ApiError> {
    sheet.row(&[
        (&domain.name).into(),
        action.id.into(),
        (&action.title).into(),
        parent.into(),
        action.department_id.as_deref().into(),
        action.status.map(progress_label).into(),
        action.progress.into(),
        action.note.as_deref().into(),
    ])?;
    for sub in &action.sub_actions {
        action_rows(sheet, domain, sub, Some(&action.title))?;
    }
    Ok(())
}

/// The report's facts, one per row: dates as dates.
fn facts(workbook: &mut Workbook, report: &Report) -> Result<(), ApiError> {
    let meta = &report.report;
    let mut sheet = Table::new(workbook, "Rapport", &["Gegeven", "Waarde"])?;
    sheet.row(&["Titel".into(), (&meta.title).into()])?;
    sheet.row(&["Jaar".into(), meta.year.into()])?;
    sheet.row(&["Status".into(), status_label(meta.status).into()])?;
    sheet.row(&[
        "Voorgesteld aan".into(),
        meta.presented_to.as_deref().into(),
    ])?;
    sheet.row(&["Voorgesteld op".into(), meta.presented_on.into()])?;
    sheet.row(&["Vastgesteld op".into(), meta.adopted_on.into()])?;
    sheet.row(&["Besluit".into(), meta.decision_url.as_deref().into()])?;
    sheet.row(&[
        "SHA-256 van de vastgestelde versie".into(),
        meta.sha256.as_deref().into(),
    ])?;
    if let Some(incomplete) = &report.incomplete {
        sheet.row(&["Open bij vaststelling".into(), incomplete.open.into()])?;
        sheet.row(&[
            "Te beoordelen bij vaststelling".into(),
            incomplete.waiting.into(),
        ])?;
        sheet.row(&[
            "Teruggestuurd bij vaststelling".into(),
            incomplete.returned.into(),
        ])?;
    }
    sheet.finish()
}

/// The counts per domain and their totals.
fn overview(workbook: &mut Workbook, report: &Report) -> Result<(), ApiError> {
    let l = &report.labels;
    let mut sheet = Table::new(
        workbook,
        "Overzicht",
        &[
            "Domein",
            &l.criteria,
            &l.risks,
            &l.realisations,
            &l.planning,
            "Nog te beoordelen",
        ],
    )?;
    let mut totals = [0usize; 4];
    let mut waiting = 0;
    for d in &report.domains {
        let counts = [
            d.criteria.count,
            d.risks.count,
            d.realisations.count,
            d.planning.count,
        ];
        for (total, count) in totals.iter_mut().zip(counts) {
            *total += count;
        }
        waiting += d.waiting;
        sheet.row(&[
            (&d.name).into(),
            counts[0].into(),
            counts[1].into(),
            counts[2].into(),
            counts[3].into(),
            d.waiting.into(),
        ])?;
    }
    sheet.row(&[
        "Totaal".into(),
        totals[0].into(),
        totals[1].into(),
        totals[2].into(),
        totals[3].into(),
        waiting.into(),
    ])?;
    sheet.finish()
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(label: &str) -> String {
    label
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(31)
        .collect::<String>()
        .trim_matches('\'')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::sheet_name;

    #[test]
    fn sheet_names_are_what_excel_accepts() {
        assert_eq!(
            sheet_name("Op te volgen hoge risico's"),
            "Op te volgen hoge risico's"
        );
        assert_eq!(sheet_name("'a/b'"), "a-b");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }
}
