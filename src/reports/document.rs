//! The report as a document people read and print: a self-contained HTML page in Dutch, or
//! the same content in Markdown for the intranet's editors. Both are rendered from the report
//! structure the JSON serves (for an adopted year, its snapshot), and every piece of data is
//! escaped.

use std::fmt::Write;

use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::{Report, ReportAction, ReportDomain, ReportRisk, ReportStatus, Section};
use crate::actions::statuses::dto::Progress;
use crate::risks::assessments::dto::{RiskLevel, RiskStatus};

/// The formats of the document.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema, strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Format {
    /// A printable HTML page (`text/html`).
    #[default]
    Html,
    /// Markdown (`text/markdown`).
    Markdown,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Html => "text/html; charset=utf-8",
            Self::Markdown => "text/markdown; charset=utf-8",
        }
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Html => html(report),
        Format::Markdown => markdown(report),
    }
}

fn status_label(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Draft => "Ontwerp",
        ReportStatus::Adopted => "Vastgesteld",
    }
}

fn progress_label(progress: Progress) -> &'static str {
    match progress {
        Progress::Planned => "gepland",
        Progress::InProgress => "in uitvoering",
        Progress::Realised => "gerealiseerd",
        Progress::Postponed => "uitgesteld",
        Progress::Cancelled => "geannuleerd",
    }
}

fn risk_label(risk: &ReportRisk) -> String {
    let status = match risk.assessment.status {
        RiskStatus::Open => "open",
        RiskStatus::Monitoring => "opvolging",
        RiskStatus::Mitigated => "beheerst",
        RiskStatus::Closed => "afgesloten",
    };
    match (risk.assessment.score, risk.assessment.level) {
        (Some(score), Some(level)) => {
            let level = match level {
                RiskLevel::Low => "laag",
                RiskLevel::Medium => "middel",
                RiskLevel::High => "hoog",
                RiskLevel::Critical => "kritiek",
            };
            format!("{status}, score {score} ({level})")
        }
        _ => status.to_string(),
    }
}

/// The facts of the title page, as (label, value) pairs; the decision link is separate.
fn title_facts(report: &Report) -> Vec<(&'static str, String)> {
    let meta = &report.report;
    let mut facts = vec![
        ("Jaar", meta.year.to_string()),
        ("Status", status_label(meta.status).to_string()),
    ];
    if let Some(to) = &meta.presented_to {
        facts.push(("Voorgesteld aan", to.clone()));
    }
    if let Some(on) = meta.presented_on {
        facts.push(("Voorgesteld op", on.format("%d-%m-%Y").to_string()));
    }
    if let Some(on) = meta.adopted_on {
        facts.push(("Vastgesteld op", on.format("%d-%m-%Y").to_string()));
    }
    if let Some(sha) = &meta.sha256 {
        facts.push(("SHA-256", sha.clone()));
    }
    facts
}

/// The counts of a domain's four parts.
fn counts(domain: &ReportDomain) -> [usize; 4] {
    [
        domain.criteria.count,
        domain.risks.count,
        domain.realisations.count,
        domain.planning.count,
    ]
}

fn labels(report: &Report) -> [&str; 4] {
    [
        &report.labels.criteria,
        &report.labels.risks,
        &report.labels.realisations,
        &report.labels.planning,
    ]
}

/// Text escaped for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // control characters other than tab and newlines are not allowed in a document
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A link target: only http(s) addresses become links.
fn is_web_link(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

const STYLE: &str = "
body { font-family: 'Segoe UI', Arial, sans-serif; margin: 2rem auto; max-width: 72rem; color: #1d1d1b; line-height: 1.4; }
h1 { font-size: 2rem; margin-bottom: 0.5rem; }
h2 { border-bottom: 2px solid #e30613; padding-bottom: 0.2rem; margin-top: 2.5rem; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border: 1px solid #b8b8b8; padding: 0.4rem; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
td.count, th.count { text-align: right; width: 7rem; }
table.summary { width: auto; }
table.parts td { width: 25%; }
table.parts ul { margin: 0; padding-left: 1.1rem; }
table.parts ul ul { padding-left: 1.2rem; font-size: 0.95em; }
.context { font-style: italic; color: #555; }
.detail { color: #555; font-size: 0.9em; }
.intro p { margin: 0.5rem 0; }
svg text { font-family: inherit; font-size: 12px; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  section.domain { break-before: page; }
  table.parts { break-inside: auto; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
";

fn html(report: &Report) -> String {
    let meta = &report.report;
    let mut out = String::with_capacity(64 * 1024);
    let title = escape(&meta.title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
    let _ = write!(out, "<header>\n<h1>{title}</h1>\n<dl class=\"facts\">\n");
    for (label, value) in title_facts(report) {
        let _ = writeln!(out, "<dt>{label}</dt><dd>{}</dd>", escape(&value));
    }
    if let Some(url) = &meta.decision_url {
        let escaped = escape(url);
        if is_web_link(url) {
            let _ = writeln!(
                out,
                "<dt>Besluit</dt><dd><a href=\"{escaped}\">{escaped}</a></dd>"
            );
        } else {
            let _ = writeln!(out, "<dt>Besluit</dt><dd>{escaped}</dd>");
        }
    }
    out.push_str("</dl>\n</header>\n");

    if let Some(intro) = &meta.introduction {
        out.push_str("<section class=\"intro\">\n<h2>Inleiding</h2>\n");
        for paragraph in intro.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            let lines: Vec<String> = paragraph.lines().map(escape).collect();
            let _ = writeln!(out, "<p>{}</p>", lines.join("<br/>"));
        }
        out.push_str("</section>\n");
    }

    let labels = labels(report);
    out.push_str(
        "<section class=\"summary\">\n<h2>Overzicht</h2>\n<table>\n<thead><tr><th>Domein</th>",
    );
    for label in labels {
        let _ = write!(out, "<th class=\"count\">{}</th>", escape(label));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let mut totals = [0usize; 4];
    for domain in &report.domains {
        let _ = write!(
            out,
            "<tr><td><a href=\"#domein-{}\">{}</a></td>",
            escape(&domain.id),
            escape(&domain.name)
        );
        for (i, count) in counts(domain).into_iter().enumerate() {
            totals[i] += count;
            let _ = write!(out, "<td class=\"count\">{count}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n<tfoot><tr><th>Totaal</th>");
    for total in totals {
        let _ = write!(out, "<th class=\"count\">{total}</th>");
    }
    out.push_str("</tr></tfoot>\n</table>\n");
    chart(&mut out, report);
    out.push_str("</section>\n");

    for domain in &report.domains {
        let _ = write!(
            out,
            "<section class=\"domain\" id=\"domein-{}\">\n<h2>{}</h2>\n",
            escape(&domain.id),
            escape(&domain.name)
        );
        if let Some(description) = &domain.description {
            let _ = writeln!(out, "<p>{}</p>", escape(description));
        }
        out.push_str("<table class=\"summary\">\n<tbody>\n");
        for (label, count) in labels.iter().zip(counts(domain)) {
            let _ = writeln!(
                out,
                "<tr><th>{}</th><td class=\"count\">{count}</td></tr>",
                escape(label)
            );
        }
        out.push_str("</tbody>\n</table>\n<table class=\"parts\">\n<thead><tr>");
        for label in labels {
            let _ = write!(out, "<th>{}</th>", escape(label));
        }
        out.push_str("</tr></thead>\n<tbody><tr>\n<td>");
        html_list(
            &mut out,
            domain.criteria.items.iter().map(|c| escape(&c.text)),
        );
        out.push_str("</td>\n<td>");
        html_list(
            &mut out,
            domain.risks.items.iter().map(|r| {
                format!(
                    "{} <span class=\"detail\">({})</span>",
                    escape(&r.title),
                    escape(&risk_label(r))
                )
            }),
        );
        out.push_str("</td>\n<td>");
        html_actions(&mut out, &domain.realisations);
        out.push_str("</td>\n<td>");
        html_actions(&mut out, &domain.planning);
        out.push_str("</td>\n</tr></tbody>\n</table>\n</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn html_list(out: &mut String, items: impl Iterator<Item = String>) {
    let mut any = false;
    for item in items {
        if !any {
            out.push_str("<ul>");
            any = true;
        }
        let _ = write!(out, "<li>{item}</li>");
    }
    if any {
        out.push_str("</ul>");
    } else {
        out.push_str("<p class=\"context\">Geen</p>");
    }
}

fn html_actions(out: &mut String, section: &Section<ReportAction>) {
    if section.items.is_empty() {
        out.push_str("<p class=\"context\">Geen</p>");
        return;
    }
    fn items(out: &mut String, actions: &[ReportAction]) {
        out.push_str("<ul>");
        for action in actions {
            out.push_str("<li>");
            match action.status {
                Some(status) => {
                    out.push_str(&escape(&action.title));
                    if status == Progress::InProgress {
                        let _ = write!(
                            out,
                            " <span class=\"detail\">({})</span>",
                            progress_label(status)
                        );
                    }
                }
                None => {
                    let _ = write!(
                        out,
                        "<span class=\"context\">{}</span>",
                        escape(&action.title)
                    );
                }
            }
            if !action.sub_actions.is_empty() {
                items(out, &action.sub_actions);
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    items(out, &section.items);
}

/// A horizontal bar chart of the realisations and planning per domain.
fn chart(out: &mut String, report: &Report) {
    const LABEL_WIDTH: usize = 230;
    const BAR_SPACE: usize = 380;
    const BAR: usize = 12;
    const ROW: usize = 2 * BAR + 14;
    let max = report
        .domains
        .iter()
        .flat_map(|d| [d.realisations.count, d.planning.count])
        .max()
        .unwrap_or(0)
        .max(1);
    let height = 30 + ROW * report.domains.len();
    let width = LABEL_WIDTH + BAR_SPACE + 50;
    let realisations = escape(&report.labels.realisations);
    let planning = escape(&report.labels.planning);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" aria-labelledby=\"chart-title\">\n\
         <title id=\"chart-title\">{realisations} en {planning} per domein</title>\n\
         <rect x=\"{LABEL_WIDTH}\" y=\"4\" width=\"10\" height=\"10\" fill=\"#e30613\"/>\
         <text x=\"{}\" y=\"13\">{realisations}</text>\
         <rect x=\"{}\" y=\"4\" width=\"10\" height=\"10\" fill=\"#9d9d9c\"/>\
         <text x=\"{}\" y=\"13\">{planning}</text>\n",
        LABEL_WIDTH + 14,
        LABEL_WIDTH + 120,
        LABEL_WIDTH + 134
    );
    for (i, domain) in report.domains.iter().enumerate() {
        let y = 30 + i * ROW;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LABEL_WIDTH - 8,
            y + BAR + 4,
            escape(&domain.name)
        );
        for (row, (count, colour)) in [
            (domain.realisations.count, "#e30613"),
            (domain.planning.count, "#9d9d9c"),
        ]
        .into_iter()
        .enumerate()
        {
            let length = count * BAR_SPACE / max;
            let top = y + row * BAR;
            let _ = write!(
                out,
                "<rect x=\"{LABEL_WIDTH}\" y=\"{top}\" width=\"{length}\" height=\"{}\" fill=\"{colour}\"/>\
                 <text x=\"{}\" y=\"{}\">{count}</text>",
                BAR - 2,
                LABEL_WIDTH + length + 4,
                top + BAR - 2
            );
        }
        out.push('\n');
    }
    out.push_str("</svg>\n");
}

/// Text escaped for Markdown: no markup, link or HTML can come from the data.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            '&' => out.push_str("&amp;"),
            c if c.is_control() && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A line of a paragraph escaped for Markdown: like [`escape_markdown`], and what would start
/// a list, a heading underline or a quote at the start of a line is escaped too.
pub fn escape_markdown_line(text: &str) -> String {
    let mut out = escape_markdown(text.trim_start());
    if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    } else {
        let digits = out.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && out[digits..].starts_with(['.', ')']) {
            out.insert(digits, '\\');
        }
    }
    out
}

fn markdown(report: &Report) -> String {
    let meta = &report.report;
    let mut out = String::with_capacity(64 * 1024);
    let _ = writeln!(out, "# {}\n", escape_markdown(&meta.title));
    for (label, value) in title_facts(report) {
        let _ = writeln!(out, "- **{label}:** {}", escape_markdown(&value));
    }
    if let Some(url) = &meta.decision_url {
        if is_web_link(url) && !url.contains(['<', '>', ' ']) {
            let _ = writeln!(out, "- **Besluit:** <{url}>");
        } else {
            let _ = writeln!(out, "- **Besluit:** {}", escape_markdown(url));
        }
    }
    out.push('\n');
    if let Some(intro) = &meta.introduction {
        out.push_str("## Inleiding\n\n");
        for paragraph in intro.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            let lines: Vec<String> = paragraph.lines().map(escape_markdown_line).collect();
            let _ = writeln!(out, "{}\n", lines.join("  \n"));
        }
    }
    let labels = labels(report);
    out.push_str("## Overzicht\n\n| Domein |");
    for label in labels {
        let _ = write!(out, " {} |", escape_markdown(label));
    }
    out.push_str("\n| --- | ---: | ---: | ---: | ---: |\n");
    let mut totals = [0usize; 4];
    for domain in &report.domains {
        let _ = write!(out, "| {} |", escape_markdown(&domain.name));
        for (i, count) in counts(domain).into_iter().enumerate() {
            totals[i] += count;
            let _ = write!(out, " {count} |");
        }
        out.push('\n');
    }
    out.push_str("| **Totaal** |");
    for total in totals {
        let _ = write!(out, " **{total}** |");
    }
    out.push_str("\n\n");

    for domain in &report.domains {
        let _ = writeln!(out, "## {}\n", escape_markdown(&domain.name));
        if let Some(description) = &domain.description {
            let _ = writeln!(out, "{}\n", escape_markdown_line(description));
        }
        out.push_str("| Onderdeel | Aantal |\n| --- | ---: |\n");
        for (label, count) in labels.iter().zip(counts(domain)) {
            let _ = writeln!(out, "| {} | {count} |", escape_markdown(label));
        }
        out.push('\n');
        let _ = writeln!(out, "### {}\n", escape_markdown(labels[0]));
        md_list(
            &mut out,
            domain
                .criteria
                .items
                .iter()
                .map(|c| escape_markdown(&c.text)),
        );
        let _ = writeln!(out, "### {}\n", escape_markdown(labels[1]));
        md_list(
            &mut out,
            domain.risks.items.iter().map(|r| {
                format!(
                    "{} ({})",
                    escape_markdown(&r.title),
                    escape_markdown(&risk_label(r))
                )
            }),
        );
        let _ = writeln!(out, "### {}\n", escape_markdown(labels[2]));
        md_actions(&mut out, &domain.realisations);
        let _ = writeln!(out, "### {}\n", escape_markdown(labels[3]));
        md_actions(&mut out, &domain.planning);
    }
    out
}

fn md_list(out: &mut String, items: impl Iterator<Item = String>) {
    let mut any = false;
    for item in items {
        any = true;
        let _ = writeln!(out, "- {item}");
    }
    if !any {
        out.push_str("_Geen_\n");
    }
    out.push('\n');
}

fn md_actions(out: &mut String, section: &Section<ReportAction>) {
    fn items(out: &mut String, actions: &[ReportAction], depth: usize) {
        for action in actions {
            let indent = "  ".repeat(depth);
            let title = escape_markdown(&action.title);
            match action.status {
                Some(Progress::InProgress) => {
                    let _ = writeln!(out, "{indent}- {title} (in uitvoering)");
                }
                Some(_) => {
                    let _ = writeln!(out, "{indent}- {title}");
                }
                None => {
                    let _ = writeln!(out, "{indent}- _{title}_");
                }
            }
            items(out, &action.sub_actions, depth + 1);
        }
    }
    if section.items.is_empty() {
        out.push_str("_Geen_\n");
    }
    items(out, &section.items, 0);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_every_special_character() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(escape("a\u{0}b"), "a\u{fffd}b");
    }

    #[test]
    fn markdown_escapes_markup_links_and_html() {
        assert_eq!(
            escape_markdown("[klik](javascript:x) <b>*vet*</b> | # _"),
            "\\[klik\\](javascript:x) \\<b\\>\\*vet\\*\\</b\\> \\| \\# \\_"
        );
        assert_eq!(escape_markdown("2022"), "2022");
        assert_eq!(escape_markdown_line("1. eerste"), "1\\. eerste");
        assert_eq!(escape_markdown_line("- punt"), "\\- punt");
        assert_eq!(escape_markdown_line("2022 was goed"), "2022 was goed");
        assert_eq!(escape_markdown("twee\nregels"), "twee regels");
    }
}
