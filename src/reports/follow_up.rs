//! What became of the previous year's plans and risks: `/api/v1/reports/{year}/follow-up`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::repo;
use crate::actions::statuses::dto::Progress;
use crate::db::schema::{
    action_domains, action_statuses, actions, domains, risk_assessments, risks,
};
use crate::error::ApiError;
use crate::links;
use crate::risks::assessments::dto::{Assessment, AssessmentInput, RiskStatus};
use crate::years::ReviewState;

/// What became of a planned action in the following year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Realised,
    InProgress,
    Postponed,
    Cancelled,
    Planned,
    /// The department gave no status for the year.
    NoUpdate,
}

impl From<Option<Progress>> for Outcome {
    fn from(status: Option<Progress>) -> Self {
        match status {
            Some(Progress::Realised) => Self::Realised,
            Some(Progress::InProgress) => Self::InProgress,
            Some(Progress::Postponed) => Self::Postponed,
            Some(Progress::Cancelled) => Self::Cancelled,
            Some(Progress::Planned) => Self::Planned,
            None => Self::NoUpdate,
        }
    }
}

/// An action the previous report planned, with its status now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowedAction {
    /// Identifier of the action.
    #[schema(example = 57)]
    pub id: i32,
    /// Title of the action.
    #[schema(example = "E-facturatie")]
    pub title: String,
    /// Its status in the previous year (`planned` or `in_progress`).
    #[schema(example = "planned")]
    pub previous_status: Progress,
    /// What became of it this year.
    #[schema(example = "realised")]
    pub outcome: Outcome,
    /// Progress this year, or null.
    #[schema(required = true, example = 100)]
    pub progress: Option<i32>,
    /// Note of this year, or null.
    #[schema(required = true, example = "In gebruik sinds maart.")]
    pub note: Option<String>,
}

/// The followed-up actions of one domain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DomainFollowUp {
    /// Slug of the domain.
    #[schema(example = "voorkomen-fraude-en-fouten")]
    pub id: String,
    /// Name of the domain.
    #[schema(example = "Voorkomen van fraude en fouten")]
    pub name: String,
    /// How many of its planned actions had each outcome.
    #[schema(example = json!({"realised": 4, "no_update": 1}))]
    pub totals: BTreeMap<Outcome, usize>,
    /// The actions, in order.
    pub actions: Vec<FollowedAction>,
}

/// How a followed-up risk evolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskChange {
    /// Followed up this year, not the year before.
    New,
    /// Followed up both years at the same (or no) level.
    Continued,
    /// Followed up the year before; this year mitigated or closed.
    Closed,
    /// Followed up both years, at a higher level now.
    LevelUp,
    /// Followed up both years, at a lower level now.
    LevelDown,
    /// Followed up the year before; no assessment this year.
    NoUpdate,
}

/// A risk followed up in either year, with both assessments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowedRisk {
    /// Identifier of the risk.
    #[schema(example = 1)]
    pub id: i32,
    /// The risk's domain.
    #[schema(example = "organisatiecultuur")]
    pub domain_id: String,
    /// Title of the risk.
    #[schema(example = "Hoge werkdruk")]
    pub title: String,
    /// Its assessment in the previous year, or null.
    #[schema(required = true)]
    pub previous: Option<Assessment>,
    /// Its assessment this year, or null.
    #[schema(required = true)]
    pub current: Option<Assessment>,
    /// How it evolved.
    #[schema(example = "continued")]
    pub change: RiskChange,
}

/// The follow-up of the previous year's report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUp {
    /// The year followed up in.
    #[schema(example = 2023)]
    pub year: i32,
    /// The year whose plans are followed up.
    #[schema(example = 2022)]
    pub previous_year: i32,
    /// Outcomes over all domains (an action serving several domains counts once).
    #[schema(example = json!({"realised": 40, "in_progress": 12, "no_update": 7}))]
    pub totals: BTreeMap<Outcome, usize>,
    /// Per domain in report order.
    pub domains: Vec<DomainFollowUp>,
    /// The risks followed up in either year.
    pub risks: Vec<FollowedRisk>,
}

fn followed(status: RiskStatus) -> bool {
    matches!(status, RiskStatus::Open | RiskStatus::Monitoring)
}

/// Assembles the follow-up of `year`: a fixed number of queries.
pub fn follow_up(conn: &mut PgConnection, year: i32) -> Result<FollowUp, ApiError> {
    if !crate::api::YEARS.contains(&year) {
        return Err(ApiError::NotFound(format!(
            "There is no report for {year}: the years run from 2000 to 2100."
        )));
    }
    let previous_year = year - 1;
    let known = repo::years(conn)?;
    if !known
        .iter()
        .any(|y| y.year == previous_year || y.year == year)
    {
        return Err(ApiError::NotFound(format!(
            "There is no report for {previous_year} or {year} to follow up."
        )));
    }
    let planned: Vec<(i32, String, Progress)> = actions::table
        .inner_join(action_statuses::table)
        .filter(action_statuses::year.eq(previous_year))
        .filter(action_statuses::status.eq_any([Progress::Planned, Progress::InProgress]))
        .filter(counted_status())
        .select((actions::id, actions::title, action_statuses::status))
        .order(actions::id)
        .load(conn)?;
    let ids: Vec<i32> = planned.iter().map(|(id, _, _)| *id).collect();
    let now: HashMap<i32, (Progress, Option<i32>, Option<String>)> = action_statuses::table
        .filter(action_statuses::year.eq(year))
        .filter(action_statuses::action_id.eq_any(&ids))
        .filter(counted_status())
        .select((
            action_statuses::action_id,
            (
                action_statuses::status,
                action_statuses::progress,
                action_statuses::note,
            ),
        ))
        .load::<(i32, (Progress, Option<i32>, Option<String>))>(conn)?
        .into_iter()
        .collect();
    // per domain, its planned actions in the domain's order
    let domains_of = links::grouped(
        action_domains::table
            .filter(action_domains::action_id.eq_any(&ids))
            .select((action_domains::domain_id, action_domains::action_id))
            .order((
                action_domains::domain_id,
                action_domains::position,
                action_domains::action_id,
            ))
            .load::<(String, i32)>(conn)?,
    );
    let mut totals: BTreeMap<Outcome, usize> = BTreeMap::new();
    let mut by_id = HashMap::new();
    for (id, title, previous) in planned {
        let (status, progress, note) = match now.get(&id) {
            Some((status, progress, note)) => (Some(*status), *progress, note.clone()),
            None => (None, None, None),
        };
        let action = FollowedAction {
            id,
            title,
            previous_status: previous,
            outcome: Outcome::from(status),
            progress,
            note,
        };
        *totals.entry(action.outcome).or_default() += 1;
        by_id.insert(id, action);
    }
    let domain_rows: Vec<(String, String)> = domains::table
        .select((domains::id, domains::name))
        .order((domains::position, domains::id))
        .load(conn)?;
    let domains = domain_rows
        .into_iter()
        .map(|(id, name)| {
            let members = domains_of.get(&id).cloned().unwrap_or_default();
            let actions: Vec<FollowedAction> = members
                .iter()
                .filter_map(|a| by_id.get(a).cloned())
                .collect();
            let mut totals: BTreeMap<Outcome, usize> = BTreeMap::new();
            for action in &actions {
                *totals.entry(action.outcome).or_default() += 1;
            }
            DomainFollowUp {
                id,
                name,
                totals,
                actions,
            }
        })
        .collect();

    type Row = (
        i32,
        String,
        String,
        i32,
        Option<i32>,
        Option<i32>,
        RiskStatus,
        Option<String>,
        DateTime<Utc>,
    );
    let rows: Vec<Row> = risks::table
        .inner_join(risk_assessments::table)
        .filter(risk_assessments::year.eq_any([previous_year, year]))
        .filter(
            risk_assessments::review
                .is_null()
                .or(risk_assessments::review.eq(ReviewState::Approved)),
        )
        .select((
            risks::id,
            risks::domain_id,
            risks::title,
            risk_assessments::year,
            risk_assessments::likelihood,
            risk_assessments::impact,
            risk_assessments::status,
            risk_assessments::note,
            risk_assessments::updated_at,
        ))
        .order((risks::id, risk_assessments::year))
        .load(conn)?;
    let mut risks: Vec<FollowedRisk> = Vec::new();
    for (id, domain_id, title, assessed, likelihood, impact, status, note, updated_at) in rows {
        let assessment = AssessmentInput {
            likelihood,
            impact,
            status,
            note,
        }
        .into_assessment(assessed, updated_at);
        if risks.last().is_none_or(|r| r.id != id) {
            risks.push(FollowedRisk {
                id,
                domain_id,
                title,
                previous: None,
                current: None,
                change: RiskChange::Continued,
            });
        }
        let risk = risks.last_mut().expect("just pushed");
        if assessed == previous_year {
            risk.previous = Some(assessment);
        } else {
            risk.current = Some(assessment);
        }
    }
    risks.retain_mut(|risk| {
        let was = risk.previous.as_ref().is_some_and(|a| followed(a.status));
        let is = risk.current.as_ref().is_some_and(|a| followed(a.status));
        risk.change = match (was, is, &risk.current) {
            (false, false, _) => return false,
            (false, true, _) => RiskChange::New,
            (true, _, None) => RiskChange::NoUpdate,
            (true, false, Some(_)) => RiskChange::Closed,
            (true, true, _) => {
                let level = |a: &Option<Assessment>| a.as_ref().and_then(|a| a.level);
                match (level(&risk.previous), level(&risk.current)) {
                    (Some(before), Some(after)) if after > before => RiskChange::LevelUp,
                    (Some(before), Some(after)) if after < before => RiskChange::LevelDown,
                    _ => RiskChange::Continued,
                }
            }
        };
        true
    });
    Ok(FollowUp {
        year,
        previous_year,
        totals,
        domains,
        risks,
    })
}

/// Whether a status counts: approved, or in a year without review (a row waiting for review
/// or returned does not count yet).
fn counted_status() -> diesel::dsl::Or<
    diesel::dsl::IsNull<action_statuses::review>,
    diesel::dsl::Eq<action_statuses::review, ReviewState>,
> {
    action_statuses::review
        .is_null()
        .or(action_statuses::review.eq(ReviewState::Approved))
}
