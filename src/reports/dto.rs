//! Wire types of the yearly report.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::actions::statuses::dto::Progress;
use crate::api::limits::{INTRODUCTION_MAX, TITLE_MAX, URL_MAX};
use crate::api::timestamp::DateTime;
use crate::api::validate::{self, plausible_date, single_line, web_url};
use crate::audits::recommendations::summary::{Implemented, OverdueRecommendation};
use crate::risks::assessments::dto::Assessment;
use crate::self_evaluations::dto::Trend;

crate::db::text_enum! {
    /// Where a report stands: `collecting` the departments' answers (opened with
    /// `POST /reports/{year}/open`), `draft` once the collection is closed (or for a year that
    /// was never opened), `adopted` by the council.
    pub enum ReportStatus {
        Collecting,
        Draft,
        Adopted,
    }
}

/// The metadata of a year's report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportYear {
    /// The year the report is about.
    #[schema(example = 2022, minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// Title of the report.
    #[schema(example = "Voortgangsrapport 2022 Organisatiebeheersing")]
    pub title: String,
    /// `collecting`, `draft` or `adopted`.
    #[schema(example = "draft")]
    pub status: ReportStatus,
    /// The day the departments' answers are due, for a year that was opened; null otherwise.
    #[serde(default)]
    #[schema(required = true, value_type = Option<String>, format = Date, example = "2024-03-31")]
    pub collect_until: Option<NaiveDate>,
    /// Whether the year's statuses and assessments are reviewed before they count in the report.
    #[serde(default)]
    #[schema(example = true)]
    pub review_required: bool,
    /// The body the report is presented to, or null.
    #[schema(required = true, example = "Commissie Algemene Zaken")]
    pub presented_to: Option<String>,
    /// The day it is presented, or null.
    #[schema(required = true, value_type = Option<String>, format = Date, example = "2023-06-06")]
    pub presented_on: Option<NaiveDate>,
    /// The day it was adopted, or null.
    #[schema(required = true, value_type = Option<String>, format = Date, example = "2023-06-27")]
    pub adopted_on: Option<NaiveDate>,
    /// Link to the council decision, or null.
    #[schema(
        required = true,
        example = "https://besluiten.mechelen.be/2023/06/27/voortgangsrapport"
    )]
    pub decision_url: Option<String>,
    /// Introduction text, or null.
    #[schema(
        required = true,
        example = "Organisatiebeheersing is het geheel van maatregelen en procedures ..."
    )]
    pub introduction: Option<String>,
    /// SHA-256 of the adopted report as served (see `POST /reports/{year}/adopt`); null for a
    /// draft.
    #[serde(default)]
    #[schema(
        required = true,
        example = "6f1ed002ab5595859014ebf0951522d9c5b7c4f0b3a5e8f1a2b3c4d5e6f7a8b9",
        pattern = "^[0-9a-f]{64}$"
    )]
    pub sha256: Option<String>,
    /// When the metadata was last changed.
    #[schema(example = "2023-06-01T09:00:00Z")]
    pub updated_at: DateTime,
}

/// What adoption records: the day and the council decision.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptInput {
    /// The day the council adopted the report; today when left out.
    #[serde(default)]
    #[validate(custom(function = "plausible_date"))]
    #[schema(value_type = Option<String>, format = Date, example = "2023-06-27")]
    pub adopted_on: Option<NaiveDate>,
    /// Link to the council decision; the metadata's link when left out.
    #[serde(default)]
    #[validate(
        custom(function = "web_url"),
        length(max = URL_MAX)
    )]
    #[schema(
        example = "https://besluiten.mechelen.be/2023/06/27/voortgangsrapport",
        max_length = 2000,
        pattern = "^https?://"
    )]
    pub decision_url: Option<String>,
    /// Adopt a year that went through collection although items are still open, waiting for
    /// review or returned (refused with 409 otherwise); what was open is recorded in the
    /// snapshot (`incomplete`).
    #[serde(default)]
    #[schema(example = false, default = false)]
    pub accept_incomplete: bool,
}

/// How a year is opened for collection.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenInput {
    /// The day the departments' answers are due.
    #[validate(custom(function = "plausible_date"))]
    #[schema(value_type = String, format = Date, example = "2024-03-31")]
    pub collect_until: NaiveDate,
    /// Whether every answer is reviewed before it counts (default true).
    #[serde(default = "reviewed")]
    #[schema(example = true, default = true)]
    pub review_required: bool,
}

fn reviewed() -> bool {
    true
}

/// The metadata of a year's report, as PUT creates or replaces it.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportYearInput {
    /// Title, 1 to 300 characters.
    #[validate(custom(function = "validate::title"))]
    #[schema(
        example = "Voortgangsrapport 2023 Organisatiebeheersing",
        min_length = 1
    )]
    pub title: String,
    /// The body the report is presented to.
    #[serde(default)]
    #[validate(length(max = TITLE_MAX), custom(function = "single_line"))]
    #[schema(example = "Commissie Algemene Zaken")]
    pub presented_to: Option<String>,
    /// The day it is presented.
    #[serde(default)]
    #[validate(custom(function = "plausible_date"))]
    #[schema(value_type = Option<String>, format = Date, example = "2024-06-04")]
    pub presented_on: Option<NaiveDate>,
    /// Link to the council decision.
    #[serde(default)]
    #[validate(
        custom(function = "web_url"),
        length(max = URL_MAX)
    )]
    #[schema(
        example = "https://besluiten.mechelen.be/2024/06/25/voortgangsrapport",
        max_length = 2000,
        pattern = "^https?://"
    )]
    pub decision_url: Option<String>,
    /// Introduction text, at most 50000 characters.
    #[serde(default)]
    #[validate(length(max = INTRODUCTION_MAX))]
    #[schema(
        example = "Organisatiebeheersing is het geheel van maatregelen en procedures ...",
        max_length = 50000
    )]
    pub introduction: Option<String>,
}

/// The Dutch labels of the four parts, so a consumer needs no dictionary of its own.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Labels {
    /// Label of the criteria.
    #[schema(example = "Detail criterium")]
    pub criteria: String,
    /// Label of the risks.
    #[schema(example = "Op te volgen hoge risico's")]
    pub risks: String,
    /// Label of the realisations.
    #[schema(example = "Realisaties")]
    pub realisations: String,
    /// Label of the planning.
    #[schema(example = "Planning")]
    pub planning: String,
}

impl Labels {
    /// The labels of the seed report.
    pub fn dutch() -> Self {
        Self {
            criteria: "Detail criterium".into(),
            risks: "Op te volgen hoge risico's".into(),
            realisations: "Realisaties".into(),
            planning: "Planning".into(),
        }
    }
}

/// A criterion as the report lists it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportCriterion {
    /// Identifier of the criterion.
    #[schema(example = 3)]
    pub id: i32,
    /// What the criterion says.
    #[schema(example = "Deontologische code")]
    pub text: String,
}

/// A risk followed up in the year, with that year's assessment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportRisk {
    /// Identifier of the risk.
    #[schema(example = 1)]
    pub id: i32,
    /// Title of the risk.
    #[schema(example = "Hoge werkdruk")]
    pub title: String,
    /// Description, or null.
    #[schema(required = true, example = "Medewerkers ervaren een hoge werkdruk.")]
    pub description: Option<String>,
    /// Owning department, or null.
    #[schema(required = true, example = "personeel")]
    pub department_id: Option<String>,
    /// The assessment of the report year.
    pub assessment: Assessment,
}

/// An action as the report lists it, with its sub-actions nested.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportAction {
    /// Identifier of the action.
    #[schema(example = 12)]
    pub id: i32,
    /// Title of the action.
    #[schema(example = "Welzijn op het werk")]
    pub title: String,
    /// Description, or null.
    #[schema(required = true, example = "Welzijnsbevraging bij alle medewerkers.")]
    pub description: Option<String>,
    /// Owning department, or null.
    #[schema(required = true, example = "personeel")]
    pub department_id: Option<String>,
    /// Its status in the report year; null for a parent shown only because a sub-action is listed.
    #[schema(required = true, example = "realised")]
    pub status: Option<Progress>,
    /// Progress in percent that year, or null.
    #[schema(required = true, example = 100)]
    pub progress: Option<i32>,
    /// Note of that year, or null.
    #[schema(required = true, example = "Afgerond in december.")]
    pub note: Option<String>,
    /// Its sub-actions in this part, in order.
    #[schema(no_recursion)]
    pub sub_actions: Vec<ReportAction>,
}

/// One part of a domain in the report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Section<T> {
    /// The Dutch label of the part.
    #[schema(example = "Realisaties")]
    pub label: String,
    /// How many items the part lists, sub-actions included.
    #[schema(example = 29)]
    pub count: usize,
    /// The items in order.
    pub items: Vec<T>,
}

/// A domain of the report with its four parts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportDomain {
    /// Slug of the domain.
    #[schema(example = "organisatiecultuur")]
    pub id: String,
    /// Name of the domain.
    #[schema(example = "Organisatiecultuur")]
    pub name: String,
    /// Introduction of the domain, or null.
    #[schema(required = true, example = "Binnen dit domein kijken we naar ...")]
    pub description: Option<String>,
    /// Detail criterium.
    pub criteria: Section<ReportCriterion>,
    /// Op te volgen hoge risico's: risks assessed `open` or `monitoring` that year.
    pub risks: Section<ReportRisk>,
    /// Realisaties: actions `realised` that year.
    pub realisations: Section<ReportAction>,
    /// Planning: actions `planned` or `in_progress` that year.
    pub planning: Section<ReportAction>,
    /// In a reviewed year: how many of the domain's statuses and assessments of the year are
    /// still waiting for review or returned, and so not in the report yet; 0 otherwise.
    #[serde(default)]
    #[schema(example = 0)]
    pub waiting: i32,
}

/// The assembled report of a year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Report {
    /// The report's metadata.
    pub report: ReportYear,
    /// The Dutch labels of the four parts.
    pub labels: Labels,
    /// The domains in report order.
    pub domains: Vec<ReportDomain>,
    /// What was still open when the report was adopted with `accept_incomplete`; null
    /// otherwise.
    #[serde(default)]
    #[schema(required = true)]
    pub incomplete: Option<Incomplete>,
    /// The follow-up of the audits' recommendations in the year; null when there are none.
    #[serde(default)]
    #[schema(required = true)]
    pub recommendations: Option<RecommendationFollowUp>,
    /// The organisation's maturity per Leidraad theme from its self-evaluations up to the
    /// year; null when it has none.
    #[serde(default)]
    #[schema(required = true)]
    pub self_evaluation: Option<MaturitySection>,
}

/// The report's section on the self-evaluation against the Leidraad.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MaturitySection {
    /// The Dutch label of the section.
    #[schema(example = "Zelfevaluatie organisatiebeheersing")]
    pub label: String,
    /// The most recent self-evaluation the scores come from.
    #[schema(example = 1)]
    pub self_evaluation_id: i32,
    /// Its title.
    #[schema(example = "Zelfevaluatie organisatiebeheersing 2022")]
    pub title: String,
    /// Its report year.
    #[schema(example = 2022)]
    pub year: i32,
    /// The day it was held, or null.
    #[schema(required = true, value_type = Option<String>, format = Date, example = "2022-10-20")]
    pub evaluated_on: Option<chrono::NaiveDate>,
    /// Per theme, the latest score up to the report year, the change since the previous
    /// scored year and the gap to the target, as `GET /self-evaluations/trend?until=`.
    pub trend: Trend,
}

/// The report's section on the audits' recommendations.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecommendationFollowUp {
    /// The Dutch label of the section.
    #[schema(example = "Opvolging aanbevelingen")]
    pub label: String,
    /// The counts over all audits, as `GET /recommendations/summary` gives them.
    pub counts: Implemented,
    /// The overdue recommendations: due by the end of the year and neither implemented nor
    /// accepted, by due day.
    pub overdue: Vec<OverdueRecommendation>,
}

/// What a year's collection still had open when its report was adopted anyway.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Incomplete {
    /// Items not answered.
    #[schema(example = 3)]
    pub open: i32,
    /// Answers waiting for review.
    #[schema(example = 1)]
    pub waiting: i32,
    /// Answers returned and not written again.
    #[schema(example = 0)]
    pub returned: i32,
    /// The token that adopted the report nonetheless.
    #[schema(example = "admin")]
    pub accepted_by: String,
}
