//! The report as a document people read and print: a self-contained HTML page in Dutch, or
//! the same content in Markdown for the intranet's editors. Both are askama templates
//! (`src/reports/templates/`, settings in `src/reports/askama.toml`) filled from one view of
//! the report structure the JSON serves (for an adopted year, its snapshot). The engine
//! escapes every value: HTML with [`HtmlText`], Markdown with [`MarkdownText`].

use std::fmt;

use askama::Template;
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::{
    MaturitySection, RecommendationFollowUp, Report, ReportAction, ReportDomain, ReportRisk,
    ReportStatus, Section,
};
use crate::actions::statuses::dto::Progress;
use crate::audits::recommendations::dto::Implementation;
use crate::error::ApiError;
use crate::risks::assessments::dto::{RiskLevel, RiskStatus};
use crate::self_evaluations::dto::{ThemeTrend, Trend};

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
    /// An Excel workbook: the facts, an overview and a sheet per part.
    Xlsx,
    /// A Word document for the council's agenda.
    Docx,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Html => "text/html; charset=utf-8",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Xlsx => crate::office::XLSX,
            Self::Docx => super::word::DOCX,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The format an `Accept` header (as actix-web parses it) asks for first, of those
    /// offered; the first listed of equal quality wins; `None` when it names none of them.
    pub fn accepted(accept: &actix_web::http::header::Accept) -> Option<Self> {
        let mut offered: Vec<_> = accept
            .iter()
            .filter(|range| range.quality > actix_web::http::header::Quality::ZERO)
            .filter_map(|range| {
                let format = match range.item.essence_str() {
                    "text/html" => Self::Html,
                    "text/markdown" => Self::Markdown,
                    crate::office::XLSX => Self::Xlsx,
                    super::word::DOCX => Self::Docx,
                    _ => return None,
                };
                Some((range.quality, format))
            })
            .collect();
        // a stable sort: among equal qualities, the order of the header
        offered.sort_by_key(|(quality, _)| std::cmp::Reverse(*quality));
        offered.first().map(|(_, format)| *format)
    }
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format) -> Result<Vec<u8>, ApiError> {
    let view = View::of(report);
    let rendered = match format {
        Format::Html => HtmlDocument { view: &view }.render(),
        Format::Markdown => MarkdownDocument { view: &view }.render(),
        Format::Xlsx => return super::workbook::render(report),
        Format::Docx => return super::word::render(report),
    };
    rendered
        .map(String::into_bytes)
        .map_err(|e| ApiError::internal("report document", e))
}

#[derive(Template)]
#[template(path = "report.html", config = "src/reports/askama.toml")]
struct HtmlDocument<'a> {
    view: &'a View<'a>,
}

#[derive(Template)]
#[template(path = "report.md", config = "src/reports/askama.toml")]
struct MarkdownDocument<'a> {
    view: &'a View<'a>,
}

/// The body of the Word document (`word/document.xml`); `reports::word` packs it.
#[derive(Template)]
#[template(path = "report.docx.xml", config = "src/reports/askama.toml")]
struct WordDocument<'a> {
    view: &'a View<'a>,
    /// The SHA-256 of the adopted version the document is made from.
    snapshot: Option<&'a str>,
    chart_caption: String,
    /// The chart's height in EMU: a band per domain.
    chart_height: usize,
}

impl<'a> std::ops::Deref for WordDocument<'a> {
    type Target = View<'a>;
    fn deref(&self) -> &View<'a> {
        self.view
    }
}

/// The XML of the Word document's body for `report`.
pub fn word_body(report: &Report) -> Result<String, ApiError> {
    let view = View::of(report);
    WordDocument {
        view: &view,
        snapshot: report.report.sha256.as_deref(),
        chart_caption: format!(
            "Figuur 1: {} en {} per domein",
            report.labels.realisations,
            report.labels.planning.to_lowercase()
        ),
        chart_height: 900_000 + report.domains.len() * 420_000,
    }
    .render()
    .map_err(|e| ApiError::internal("report document", e))
}

impl<'a> std::ops::Deref for HtmlDocument<'a> {
    type Target = View<'a>;
    fn deref(&self) -> &View<'a> {
        self.view
    }
}

impl<'a> std::ops::Deref for MarkdownDocument<'a> {
    type Target = View<'a>;
    fn deref(&self) -> &View<'a> {
        self.view
    }
}

/// What both documents show, computed once: the templates only lay it out.
struct View<'a> {
    title: &'a str,
    facts: Vec<(&'static str, String)>,
    decision: Option<Decision<'a>>,
    /// Paragraphs of the introduction, as lines.
    introduction: Vec<Vec<&'a str>>,
    labels: [&'a str; 4],
    domains: Vec<DomainView<'a>>,
    totals: [usize; 4],
    chart: Chart<'a>,
    recommendations: Option<RecommendationsView<'a>>,
    maturity: Option<MaturityView<'a>>,
}

/// The self-evaluation section: a table per theme, and a radar chart of the scored themes.
struct MaturityView<'a> {
    label: &'a str,
    title: &'a str,
    /// When and in which year the most recent self-evaluation was held.
    held: String,
    /// Per theme: code, name, score with its level, the previous score, the change, the
    /// target and the gap.
    rows: Vec<[String; 7]>,
    radar: Option<Radar>,
}

impl<'a> MaturityView<'a> {
    fn of(section: &'a MaturitySection) -> Self {
        let or_dash = |value: Option<i32>| value.map_or("–".to_string(), |v| v.to_string());
        let rows = section
            .trend
            .themes
            .iter()
            .map(|t| {
                let score = match (t.score, t.level.as_deref()) {
                    (Some(score), Some(level)) => format!("{score} ({level})"),
                    (Some(score), None) => score.to_string(),
                    (None, _) => "niet beoordeeld".to_string(),
                };
                let change = t.change.map_or("–".to_string(), |c| {
                    if c > 0 {
                        format!("+{c}")
                    } else {
                        c.to_string()
                    }
                });
                [
                    t.theme_code.clone(),
                    t.theme_name.clone(),
                    score,
                    or_dash(t.previous),
                    change,
                    or_dash(t.target),
                    or_dash(t.gap),
                ]
            })
            .collect();
        let held = match section.evaluated_on {
            Some(day) => format!("{} (rapportjaar {})", day.format("%d-%m-%Y"), section.year),
            None => format!("rapportjaar {}", section.year),
        };
        Self {
            label: &section.label,
            title: &section.title,
            held,
            rows,
            radar: Radar::of(&section.trend),
        }
    }
}

/// A radar (spider) chart: one axis per scored theme, a ring per level of the scale, the
/// scores as a filled polygon, the previous scores and the targets as outlines when every
/// scored theme has one.
struct Radar {
    size: i32,
    centre: i32,
    /// Each ring's points and the level it stands for, with where to write that level.
    rings: Vec<(String, i32, String)>,
    /// Each axis: its end, where its label goes, the label's anchor and the theme code.
    axes: Vec<(String, String, String, String, &'static str, String)>,
    scores: String,
    previous: Option<String>,
    targets: Option<String>,
}

impl Radar {
    const SIZE: i32 = 520;
    const RADIUS: f64 = 180.0;

    fn of(trend: &Trend) -> Option<Self> {
        let scored: Vec<&ThemeTrend> = trend.themes.iter().filter(|t| t.score.is_some()).collect();
        let top = trend.top_level;
        if scored.len() < 3 || top < 1 {
            return None;
        }
        let centre = Self::SIZE / 2;
        let n = scored.len();
        let at = |i: usize, level: f64| {
            let angle = -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / n as f64;
            let r = Self::RADIUS * level / f64::from(top);
            (
                f64::from(centre) + r * angle.cos(),
                f64::from(centre) + r * angle.sin(),
            )
        };
        let point = |(x, y): (f64, f64)| format!("{x:.1},{y:.1}");
        let polygon = |levels: &[i32]| {
            levels
                .iter()
                .enumerate()
                .map(|(i, level)| point(at(i, f64::from(*level))))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let rings = (1..=top)
            .map(|level| {
                let (_, y) = at(0, f64::from(level));
                (polygon(&vec![level; n]), level, format!("{:.1}", y - 2.0))
            })
            .collect();
        let axes = (0..n)
            .map(|i| {
                let (x, y) = at(i, f64::from(top));
                let (lx, ly) = at(i, f64::from(top) * 1.1);
                let anchor = if (lx - f64::from(centre)).abs() < 5.0 {
                    "middle"
                } else if lx > f64::from(centre) {
                    "start"
                } else {
                    "end"
                };
                (
                    format!("{x:.1}"),
                    format!("{y:.1}"),
                    format!("{lx:.1}"),
                    format!("{:.1}", ly + 4.0),
                    anchor,
                    scored[i].theme_code.clone(),
                )
            })
            .collect();
        let all = |pick: fn(&ThemeTrend) -> Option<i32>| {
            scored
                .iter()
                .map(|t| pick(t))
                .collect::<Option<Vec<i32>>>()
                .map(|levels| polygon(&levels))
        };
        Some(Self {
            size: Self::SIZE,
            centre,
            rings,
            axes,
            scores: all(|t| t.score)?,
            previous: all(|t| t.previous),
            targets: all(|t| t.target),
        })
    }
}

/// The follow-up of the audits' recommendations, as the documents show it.
struct RecommendationsView<'a> {
    label: &'a str,
    /// Each category with its count and percentage (when it has one).
    counts: Vec<(&'static str, i32, Option<i32>)>,
    /// Each overdue recommendation: the audit, the text, the due day and its status.
    overdue: Vec<(&'a str, &'a str, String, &'static str)>,
}

impl<'a> RecommendationsView<'a> {
    fn of(follow_up: &'a RecommendationFollowUp) -> Self {
        let c = &follow_up.counts;
        Self {
            label: &follow_up.label,
            counts: vec![
                ("Volledig uitgevoerd", c.fully, Some(c.percent_fully)),
                ("Gedeeltelijk uitgevoerd", c.partly, Some(c.percent_partly)),
                ("Niet uitgevoerd", c.not, Some(c.percent_not)),
                ("Risico aanvaard", c.risk_accepted, None),
                ("Over de vervaldag", c.overdue, None),
            ],
            overdue: follow_up
                .overdue
                .iter()
                .map(|o| {
                    (
                        o.audit_title.as_str(),
                        o.text.as_str(),
                        o.due_on.format("%d-%m-%Y").to_string(),
                        implementation_label(o.status.as_deref()),
                    )
                })
                .collect(),
        }
    }
}

/// The Dutch name of a recommendation's status, or "geen stand van zaken" without one.
pub(super) fn implementation_label(status: Option<&str>) -> &'static str {
    status
        .and_then(|s| s.parse::<Implementation>().ok())
        .map_or("geen stand van zaken", implementation_word)
}

/// The Dutch name of a recommendation's status.
pub(super) fn implementation_word(status: Implementation) -> &'static str {
    match status {
        Implementation::Open => "open",
        Implementation::InProgress => "lopend",
        Implementation::Implemented => "uitgevoerd",
        Implementation::PartlyImplemented => "gedeeltelijk uitgevoerd",
        Implementation::NotImplemented => "niet uitgevoerd",
        Implementation::RiskAccepted => "risico aanvaard",
    }
}

/// The council decision: a link when it is a web address.
struct Decision<'a> {
    url: &'a str,
    link: bool,
}

struct DomainView<'a> {
    id: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    counts: [usize; 4],
    /// Statuses and assessments of the domain still waiting for review or returned.
    waiting: i32,
    criteria: Vec<&'a str>,
    /// Each part's label with its count.
    summary: [(&'a str, usize); 4],
    /// Title and the Dutch label of the assessment.
    risks: Vec<(&'a str, String)>,
    /// The realisations and the planning, under their labels.
    actions: [(&'a str, Vec<Line<'a>>); 2],
}

/// An action in a list, sub-actions following their parent one level deeper. The HTML
/// template nests them with `opens`, `has_children` and `closes`; Markdown indents them.
struct Line<'a> {
    title: &'a str,
    /// What the report says after the title: that it is still in progress.
    detail: Option<&'static str>,
    /// Shown only as the parent of listed sub-actions.
    context: bool,
    indent: String,
    /// The depth: 0 for an action, 1 for its sub-action, ...
    level: usize,
    opens: bool,
    has_children: bool,
    closes: usize,
}

impl<'a> View<'a> {
    fn of(report: &'a Report) -> Self {
        let meta = &report.report;
        let labels = labels(report);
        let domains: Vec<DomainView<'a>> = report
            .domains
            .iter()
            .map(|domain| DomainView::of(domain, labels))
            .collect();
        let mut totals = [0; 4];
        for domain in &domains {
            for (total, count) in totals.iter_mut().zip(domain.counts) {
                *total += count;
            }
        }
        let introduction = meta
            .introduction
            .as_deref()
            .map(|text| {
                text.split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| p.lines().collect())
                    .collect()
            })
            .unwrap_or_default();
        Self {
            title: &meta.title,
            facts: title_facts(report),
            decision: meta.decision_url.as_deref().map(|url| Decision {
                url,
                link: is_web_link(url) && !url.contains(['<', '>', ' ']),
            }),
            introduction,
            labels,
            chart: Chart::of(report),
            domains,
            totals,
            recommendations: report.recommendations.as_ref().map(RecommendationsView::of),
            maturity: report.self_evaluation.as_ref().map(MaturityView::of),
        }
    }
}

impl<'a> DomainView<'a> {
    fn of(domain: &'a ReportDomain, labels: [&'a str; 4]) -> Self {
        let counts = counts(domain);
        Self {
            id: &domain.id,
            name: &domain.name,
            description: domain.description.as_deref(),
            counts,
            waiting: domain.waiting,
            summary: [0, 1, 2, 3].map(|i| (labels[i], counts[i])),
            criteria: domain
                .criteria
                .items
                .iter()
                .map(|c| c.text.as_str())
                .collect(),
            risks: domain
                .risks
                .items
                .iter()
                .map(|r| (r.title.as_str(), risk_label(r)))
                .collect(),
            actions: [
                (labels[2], lines(&domain.realisations)),
                (labels[3], lines(&domain.planning)),
            ],
        }
    }
}

/// The actions of a section in reading order, each with its depth turned into list structure.
fn lines(section: &Section<ReportAction>) -> Vec<Line<'_>> {
    fn walk<'a>(
        actions: &'a [ReportAction],
        depth: usize,
        out: &mut Vec<(usize, &'a ReportAction)>,
    ) {
        for action in actions {
            out.push((depth, action));
            walk(&action.sub_actions, depth + 1, out);
        }
    }
    let mut flat = Vec::new();
    walk(&section.items, 0, &mut flat);
    (0..flat.len())
        .map(|i| {
            let (depth, action) = flat[i];
            let next = flat.get(i + 1).map_or(0, |(d, _)| *d);
            let opens = i == 0 || depth > flat[i - 1].0;
            Line {
                title: &action.title,
                detail: (action.status == Some(Progress::InProgress))
                    .then(|| progress_label(Progress::InProgress)),
                context: action.status.is_none(),
                indent: "  ".repeat(depth),
                level: depth,
                opens,
                has_children: next > depth,
                closes: depth.saturating_sub(next),
            }
        })
        .collect()
}

/// A horizontal bar chart of the realisations and planning per domain, laid out here and
/// drawn by the HTML template as inline SVG.
struct Chart<'a> {
    width: usize,
    height: usize,
    label_end: usize,
    bars_x: usize,
    bar_height: usize,
    legend: [LegendEntry<'a>; 2],
    rows: Vec<ChartRow<'a>>,
}

struct LegendEntry<'a> {
    x: usize,
    colour: &'static str,
    label: &'a str,
}

struct ChartRow<'a> {
    name: &'a str,
    label_y: usize,
    bars: [Bar; 2],
}

struct Bar {
    top: usize,
    length: usize,
    colour: &'static str,
    count: usize,
    text_x: usize,
    text_y: usize,
}

impl<'a> Chart<'a> {
    fn of(report: &'a Report) -> Self {
        const LABEL_WIDTH: usize = 230;
        const BAR_SPACE: usize = 380;
        const BAR: usize = 12;
        const ROW: usize = 2 * BAR + 14;
        const COLOURS: [&str; 2] = ["#e30613", "#9d9d9c"];
        let max = report
            .domains
            .iter()
            .flat_map(|d| [d.realisations.count, d.planning.count])
            .max()
            .unwrap_or(0)
            .max(1);
        let rows = report
            .domains
            .iter()
            .enumerate()
            .map(|(i, domain)| {
                let y = 30 + i * ROW;
                let bar = |row: usize, count: usize| {
                    let length = count * BAR_SPACE / max;
                    let top = y + row * BAR;
                    Bar {
                        top,
                        length,
                        colour: COLOURS[row],
                        count,
                        text_x: LABEL_WIDTH + length + 4,
                        text_y: top + BAR - 2,
                    }
                };
                ChartRow {
                    name: &domain.name,
                    label_y: y + BAR + 4,
                    bars: [
                        bar(0, domain.realisations.count),
                        bar(1, domain.planning.count),
                    ],
                }
            })
            .collect();
        Self {
            width: LABEL_WIDTH + BAR_SPACE + 50,
            height: 30 + ROW * report.domains.len(),
            label_end: LABEL_WIDTH - 8,
            bars_x: LABEL_WIDTH,
            bar_height: BAR - 2,
            legend: [
                LegendEntry {
                    x: LABEL_WIDTH,
                    colour: COLOURS[0],
                    label: &report.labels.realisations,
                },
                LegendEntry {
                    x: LABEL_WIDTH + 120,
                    colour: COLOURS[1],
                    label: &report.labels.planning,
                },
            ],
            rows,
        }
    }
}

/// askama's HTML escaping, after replacing control characters (other than tab and newlines)
/// and the noncharacters U+FFFE and U+FFFF, which a well-formed document cannot hold. The
/// Word document's XML is escaped the same way.
#[derive(Debug, Clone, Copy)]
pub struct HtmlText;

/// Whether `c` cannot stand in an HTML or XML document as text.
fn not_text(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

impl askama::filters::Escaper for HtmlText {
    fn write_escaped_str<W: fmt::Write>(&self, dest: W, string: &str) -> fmt::Result {
        let clean: std::borrow::Cow<'_, str> = if string.chars().any(not_text) {
            string
                .chars()
                .map(|c| if not_text(c) { '\u{fffd}' } else { c })
                .collect::<String>()
                .into()
        } else {
            string.into()
        };
        askama::filters::Html.write_escaped_str(dest, &clean)
    }
}

/// Markdown escaping of a value: no markup, link or HTML can come from the data, and what
/// would start a list, a heading underline or a quote at the start of a line is escaped.
#[derive(Debug, Clone, Copy)]
pub struct MarkdownText;

impl askama::filters::Escaper for MarkdownText {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        dest.write_str(&escape_markdown_line(string))
    }
}

pub(super) fn status_label(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Collecting => "In opmaak",
        ReportStatus::Draft => "Ontwerp",
        ReportStatus::Adopted => "Vastgesteld",
    }
}

pub(super) fn progress_label(progress: Progress) -> &'static str {
    match progress {
        Progress::Planned => "gepland",
        Progress::InProgress => "in uitvoering",
        Progress::Realised => "gerealiseerd",
        Progress::Postponed => "uitgesteld",
        Progress::Cancelled => "geannuleerd",
    }
}

fn risk_label(risk: &ReportRisk) -> String {
    let status = risk_status_label(risk.assessment.status);
    match (risk.assessment.score, risk.assessment.level) {
        (Some(score), Some(level)) => {
            format!("{status}, score {score} ({})", risk_level_label(level))
        }
        _ => status.to_string(),
    }
}

pub(super) fn risk_status_label(status: RiskStatus) -> &'static str {
    match status {
        RiskStatus::Open => "open",
        RiskStatus::Monitoring => "opvolging",
        RiskStatus::Mitigated => "beheerst",
        RiskStatus::Closed => "afgesloten",
    }
}

pub(super) fn risk_level_label(level: RiskLevel) -> &'static str {
    match level {
        RiskLevel::Low => "laag",
        RiskLevel::Medium => "middel",
        RiskLevel::High => "hoog",
        RiskLevel::Critical => "kritiek",
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
    let waiting: i32 = report.domains.iter().map(|d| d.waiting).sum();
    if waiting > 0 {
        facts.push(("Nog te beoordelen", waiting.to_string()));
    }
    if let Some(open) = &report.incomplete {
        facts.push((
            "Onvolledig vastgesteld",
            format!(
                "{} open, {} te beoordelen, {} teruggestuurd (aanvaard door {})",
                open.open, open.waiting, open.returned, open.accepted_by
            ),
        ));
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

/// A link target: only http(s) addresses become links.
fn is_web_link(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_every_special_character() {
        use askama::filters::Escaper;
        let escape = |text: &str| {
            let mut out = String::new();
            HtmlText.write_escaped_str(&mut out, text).unwrap();
            out
        };
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; &#34;y&#34;"
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
