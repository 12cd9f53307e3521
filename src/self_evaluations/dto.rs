//! Wire types of self-evaluations and the maturity scale.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::api::body::{nullable, present};
use crate::api::limits::{
    ACTIONS_PER_AUDIT, EVIDENCE_LINKS_MAX, MATURITY_LEVEL_MAX, NOTE_MAX, REF_MAX, THEMES_MAX,
    URL_MAX, YEAR_MAX, YEAR_MIN,
};
use crate::api::listing::searchable_query;
use crate::api::timestamp::DateTime;
use crate::api::validate::{self, plausible_date, single_line, slug, web_url};

crate::db::text_enum! {
    /// What a self-evaluation covers: the whole `organisation`, one `department` (named in
    /// `department_id`), or a `partial` one of the organisation (some themes only).
    pub enum Scope {
        Organisation,
        Department,
        Partial,
    }
}

/// A level of Audit Vlaanderen's assessment scale for internal control.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MaturityLevel {
    /// The level, from 0.
    #[schema(example = 2, minimum = 0, maximum = 9)]
    pub level: i32,
    /// Its name on Audit Vlaanderen's scale.
    #[schema(example = "Gestructureerde aanzet")]
    pub name: String,
    /// The phase of the Plan-Do-Check-Act cycle the scale gives the level, or null.
    #[schema(required = true, example = "Plan")]
    pub cycle_phase: Option<String>,
    /// What the level means in general.
    #[schema(
        example = "Een gestructureerde aanzet tot beheersmaatregelen: de beheersinstrumenten worden ontwikkeld, maar nog niet toegepast."
    )]
    pub description: String,
    /// What the level means for the approach to internal control (organisatiebeheersing).
    #[schema(
        example = "Een (beperkt) kader dat in belangrijke mate wordt toegepast; de rapportering over organisatiebeheersing is consistent en degelijk."
    )]
    pub internal_control: String,
}

/// The score of one Leidraad theme in a self-evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ThemeScore {
    /// Code of the theme.
    #[schema(example = "MON")]
    pub theme_code: String,
    /// The maturity level the theme was scored at.
    #[schema(example = 1, minimum = 0, maximum = 9)]
    pub score: i32,
    /// The level aimed at, or null.
    #[schema(required = true, example = 2, minimum = 0, maximum = 9)]
    pub target: Option<i32>,
    /// `target - score` when the target is higher, 0 when it is reached, null without a
    /// target.
    #[schema(required = true, example = 1, minimum = 0, maximum = 9)]
    pub gap: Option<i32>,
    /// Why this score, or null.
    #[schema(
        required = true,
        example = "Monitoring gebeurt per dienst, zonder gedeeld kader."
    )]
    pub reasoning: Option<String>,
    /// The evidence, described, or null.
    #[schema(required = true, example = "Verslagen van het managementteam 2022.")]
    pub evidence: Option<String>,
    /// Links to the evidence.
    #[schema(example = json!(["https://intranet.mechelen.be/ob/monitoring-2022.pdf"]))]
    pub evidence_urls: Vec<String>,
    /// The improvement actions the score leads to, sorted.
    #[schema(example = json!([12]))]
    pub action_ids: Vec<i32>,
}

impl ThemeScore {
    /// How far the score is below its target (0 when reached), without a target none.
    pub fn gap(score: i32, target: Option<i32>) -> Option<i32> {
        target.map(|target| (target - score).max(0))
    }
}

/// A self-evaluation with its scores per theme.
#[derive(Debug, Serialize, ToSchema)]
pub struct SelfEvaluation {
    /// Identifier of the self-evaluation.
    #[schema(example = 1)]
    pub id: i32,
    /// The organisation's own key, unique, or null.
    #[schema(required = true, example = "ZE-2022")]
    pub external_ref: Option<String>,
    /// The report year the self-evaluation belongs to.
    #[schema(example = 2022)]
    pub year: i32,
    /// Title.
    #[schema(example = "Zelfevaluatie organisatiebeheersing 2022")]
    pub title: String,
    /// What it covers.
    #[schema(example = "organisation")]
    pub scope: Scope,
    /// The department evaluated, for scope `department`; null otherwise.
    #[schema(required = true, example = "financien")]
    pub department_id: Option<String>,
    /// The day of the evaluation, or null.
    #[schema(required = true, value_type = Option<String>, format = Date, example = "2022-10-20")]
    pub evaluated_on: Option<NaiveDate>,
    /// How it was done, or null.
    #[schema(
        required = true,
        example = "Workshop per thema met de zelfevaluatie-instrumenten van de Leidraad."
    )]
    pub method: Option<String>,
    /// Who took part, or null.
    #[schema(
        required = true,
        example = "Managementteam, organisatiebeheersing, financiën"
    )]
    pub participants: Option<String>,
    /// The scores, by theme number.
    pub scores: Vec<ThemeScore>,
    /// When it was registered.
    pub created_at: DateTime,
    /// When it was last changed.
    pub updated_at: DateTime,
}

/// The score of one theme, as a write gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    /// Code of the theme (case-insensitive).
    #[validate(length(min = 1, max = 64))]
    #[schema(example = "MON", min_length = 1)]
    pub theme_code: String,
    /// The maturity level, one of `GET /maturity-levels`.
    #[validate(range(min = 0, max = MATURITY_LEVEL_MAX))]
    #[schema(example = 1, minimum = 0, maximum = 9)]
    pub score: i32,
    /// The level aimed at, one of `GET /maturity-levels`.
    #[serde(default)]
    #[validate(range(min = 0, max = MATURITY_LEVEL_MAX))]
    #[schema(example = 2, minimum = 0, maximum = 9)]
    pub target: Option<i32>,
    /// Why this score, at most 5000 characters.
    #[serde(default)]
    #[validate(length(max = NOTE_MAX))]
    #[schema(
        example = "Monitoring gebeurt per dienst, zonder gedeeld kader.",
        max_length = 5000
    )]
    pub reasoning: Option<String>,
    /// The evidence, described, at most 5000 characters.
    #[serde(default)]
    #[validate(length(max = NOTE_MAX))]
    #[schema(example = "Verslagen van het managementteam 2022.", max_length = 5000)]
    pub evidence: Option<String>,
    /// Links to the evidence: absolute `http` or `https` addresses, at most 20.
    #[serde(default)]
    #[validate(length(max = EVIDENCE_LINKS_MAX), custom(function = "web_urls"))]
    #[schema(example = json!(["https://intranet.mechelen.be/ob/monitoring-2022.pdf"]), max_items = 20)]
    pub evidence_urls: Vec<String>,
    /// The improvement actions the score leads to, at most 100.
    #[serde(default)]
    #[validate(length(max = ACTIONS_PER_AUDIT))]
    #[schema(example = json!([12]), max_items = 100)]
    pub action_ids: Vec<i32>,
}

fn web_urls(urls: &[String]) -> Result<(), ValidationError> {
    for url in urls {
        if url.chars().count() as u64 > URL_MAX {
            return Err(ValidationError::new("length")
                .with_message(format!("each link is at most {URL_MAX} characters").into()));
        }
        web_url(url)?;
    }
    Ok(())
}

/// A new self-evaluation.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSelfEvaluation {
    /// The organisation's own key, unique, 1 to 100 characters.
    #[serde(default)]
    #[validate(length(min = 1, max = REF_MAX), custom(function = "single_line"))]
    #[schema(example = "ZE-2022", min_length = 1)]
    pub external_ref: Option<String>,
    /// The report year it belongs to.
    #[validate(range(min = YEAR_MIN, max = YEAR_MAX))]
    #[schema(example = 2022)]
    pub year: i32,
    /// Title, 1 to 300 characters.
    #[validate(custom(function = "validate::title"))]
    #[schema(example = "Zelfevaluatie organisatiebeheersing 2022", min_length = 1)]
    pub title: String,
    /// What it covers (default `organisation`).
    #[serde(default = "organisation")]
    #[schema(example = "organisation")]
    pub scope: Scope,
    /// The department evaluated: required for scope `department`, absent otherwise.
    #[serde(default)]
    #[validate(custom(function = "slug"))]
    #[schema(example = "financien")]
    pub department_id: Option<String>,
    /// The day of the evaluation.
    #[serde(default)]
    #[validate(custom(function = "plausible_date"))]
    #[schema(value_type = Option<String>, format = Date, example = "2022-10-20")]
    pub evaluated_on: Option<NaiveDate>,
    /// How it was done, at most 5000 characters.
    #[serde(default)]
    #[validate(length(max = NOTE_MAX))]
    #[schema(example = "Workshop per thema.", max_length = 5000)]
    pub method: Option<String>,
    /// Who took part, at most 5000 characters.
    #[serde(default)]
    #[validate(length(max = NOTE_MAX))]
    #[schema(example = "Managementteam", max_length = 5000)]
    pub participants: Option<String>,
    /// The scores, one per theme, at most 11.
    #[serde(default)]
    #[validate(length(max = THEMES_MAX), nested)]
    #[schema(max_items = 11)]
    pub scores: Vec<ScoreInput>,
}

fn organisation() -> Scope {
    Scope::Organisation
}

/// Changes to a self-evaluation, as a JSON Merge Patch: send only the members to change;
/// `null` removes an optional one; `scores` replaces all scores.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfEvaluationPatch {
    /// New external key, or null to remove it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = REF_MAX), custom(function = "single_line"))]
    #[schema(value_type = Option<String>, example = "ZE-2022")]
    pub external_ref: Option<Option<String>>,
    /// New report year.
    #[serde(default, deserialize_with = "present")]
    #[validate(range(min = YEAR_MIN, max = YEAR_MAX))]
    #[schema(value_type = Option<i32>, example = 2023, nullable = false)]
    pub year: Option<i32>,
    /// New title, 1 to 300 characters.
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "validate::title"))]
    #[schema(example = "Zelfevaluatie 2022", nullable = false, min_length = 1)]
    pub title: Option<String>,
    /// New scope (with `department_id` as it requires).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Scope>, example = "partial", nullable = false)]
    pub scope: Option<Scope>,
    /// New department, or null.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "slug"))]
    #[schema(value_type = Option<String>, example = "financien")]
    pub department_id: Option<Option<String>>,
    /// New day, or null.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "plausible_date"))]
    #[schema(value_type = Option<String>, format = Date, example = "2022-10-20")]
    pub evaluated_on: Option<Option<NaiveDate>>,
    /// New method, or null.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = NOTE_MAX))]
    #[schema(value_type = Option<String>, example = "Workshop per thema.", max_length = 5000)]
    pub method: Option<Option<String>>,
    /// New participants, or null.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = NOTE_MAX))]
    #[schema(value_type = Option<String>, example = "Managementteam", max_length = 5000)]
    pub participants: Option<Option<String>>,
    /// The complete new set of scores.
    #[serde(default, deserialize_with = "present")]
    #[validate(length(max = THEMES_MAX), nested)]
    #[schema(value_type = Option<Vec<ScoreInput>>, nullable = false, max_items = 11)]
    pub scores: Option<Vec<ScoreInput>>,
}

searchable_query! {
    /// Filters, order and paging of the self-evaluation list.
    pub struct SelfEvaluationQuery {
        /// Only self-evaluations of this report year.
        #[param(example = 2022, minimum = 2000, maximum = 2100)]
        pub year: Option<i32>,
        /// Only self-evaluations of this scope.
        #[param(example = "organisation")]
        pub scope: Option<Scope>,
        /// Only self-evaluations of this department.
        #[param(example = "financien")]
        pub department_id: Option<String>,
        /// Only self-evaluations that scored this theme code.
        #[param(example = "MON")]
        pub theme: Option<String>,
    }
    q: {
        /// Full-text search in title, method and participants (Dutch, accents ignored; websearch
        /// syntax), at most 200 characters and 20 words.
        #[param(example = "workshop")]
    }
    updated_since: {
        /// Only self-evaluations changed at or after this time (ISO 8601 with offset).
    }
    sort: {
        /// Order: id (default), -id, title, -title, created_at, -created_at, updated_at,
        /// -updated_at, or rank (relevance to `q`, the default when searching).
        #[param(example = "-id")]
    }
}

/// Whose trend: the organisation's (organisation-wide and partial self-evaluations) or one
/// department's.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// The department whose self-evaluations to follow; absent for the organisation's.
    #[param(example = "financien")]
    pub department_id: Option<String>,
    /// The last year to include (default: all years).
    #[param(example = 2023, minimum = 2000, maximum = 2100)]
    pub until: Option<i32>,
}

/// A theme's score in one year: the latest self-evaluation of that year that scored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct YearScore {
    /// The report year.
    #[schema(example = 2022)]
    pub year: i32,
    /// The self-evaluation the score comes from.
    #[schema(example = 1)]
    pub self_evaluation_id: i32,
    /// The score.
    #[schema(example = 1, minimum = 0, maximum = 9)]
    pub score: i32,
    /// The target then, or null.
    #[schema(required = true, example = 2, minimum = 0, maximum = 9)]
    pub target: Option<i32>,
}

/// One Leidraad theme over the years.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ThemeTrend {
    /// Number of the theme, 0 to 10.
    #[schema(example = 2, minimum = 0, maximum = 10)]
    pub number: i32,
    /// Code of the theme.
    #[schema(example = "MON")]
    pub theme_code: String,
    /// Name of the theme.
    #[schema(example = "Monitoring")]
    pub theme_name: String,
    /// The score per year, oldest first; empty when the theme was never scored.
    pub series: Vec<YearScore>,
    /// The latest score, or null.
    #[schema(required = true, example = 1, minimum = 0, maximum = 9)]
    pub score: Option<i32>,
    /// The name of the latest score's level, or null.
    #[schema(required = true, example = "Ad-hocbasis")]
    pub level: Option<String>,
    /// The score the year before the latest (the previous scored year), or null.
    #[schema(required = true, example = 0, minimum = 0, maximum = 9)]
    pub previous: Option<i32>,
    /// `score - previous`, or null when either is missing.
    #[schema(required = true, example = 1, minimum = -9, maximum = 9)]
    pub change: Option<i32>,
    /// The latest target, or null.
    #[schema(required = true, example = 2, minimum = 0, maximum = 9)]
    pub target: Option<i32>,
    /// How far the latest score is below its target (0 when reached), or null.
    #[schema(required = true, example = 1, minimum = 0, maximum = 9)]
    pub gap: Option<i32>,
    /// The improvement actions of the latest score, sorted.
    #[schema(example = json!([12]))]
    pub action_ids: Vec<i32>,
    /// Below target and without an improvement action: what the coordinator asks about.
    #[schema(example = false)]
    pub needs_action: bool,
}

/// The maturity of every Leidraad theme over the years.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Trend {
    /// The department followed, or null for the organisation.
    #[schema(required = true, example = "financien")]
    pub department_id: Option<String>,
    /// The highest level of the maturity scale (the outer ring of a radar chart).
    #[schema(example = 3, minimum = 0, maximum = 9)]
    pub top_level: i32,
    /// The eleven themes, by number.
    pub themes: Vec<ThemeTrend>,
}
