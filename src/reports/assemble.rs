//! Assembles a year's report from the data in a fixed number of queries (one per
//! collection), whatever its size.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::cache::{self, Rendered, ReportCache, Stamp};
use super::dto::{
    Labels, MaturitySection, RecommendationFollowUp, Report, ReportAction, ReportCriterion,
    ReportDomain, ReportRisk, Section,
};
use super::repo;
use crate::actions::statuses::dto::Progress;
use crate::api::etag::etag_of_bytes;
use crate::audits::recommendations::summary;
use crate::db::fixed::{ByName, Part};
use crate::db::schema::{
    action_domains, action_statuses, actions, criteria, domains, risk_assessments, risks,
};
use crate::error::ApiError;
use crate::links;
use crate::risks::assessments::dto::{AssessmentInput, RiskStatus};
use crate::self_evaluations::trend;
use crate::years::ReviewState;

/// An action with its status in the report year (none for a parent shown as context).
#[derive(Debug, Clone)]
struct YearAction {
    id: i32,
    parent_id: Option<i32>,
    title: String,
    description: Option<String>,
    department_id: Option<String>,
    status: Option<Progress>,
    progress: Option<i32>,
    note: Option<String>,
}

type ActionColumns = (i32, Option<i32>, String, Option<String>, Option<String>);
/// An action's status, progress and note in the year.
type YearColumns = (Progress, Option<i32>, Option<String>);

fn year_action((id, parent_id, title, description, department_id): ActionColumns) -> YearAction {
    YearAction {
        id,
        parent_id,
        title,
        description,
        department_id,
        status: None,
        progress: None,
        note: None,
    }
}

/// The report of `year` as served: from the cache when the data did not change since it was
/// rendered, else assembled (two statements when cached; when not, at most fifteen, whatever
/// the size of the year).
pub fn rendered(
    conn: &mut PgConnection,
    cache: &ReportCache,
    year: i32,
    heard: Option<u64>,
) -> Result<Arc<Rendered>, ApiError> {
    // taken before assembling: what is kept under a stamp is never older than it
    let version = match heard {
        Some(generation) => Stamp::Heard(generation),
        None => Stamp::Read(cache::current_version(conn)?),
    };
    if let Some(rendered) = cache.get(year, version) {
        return Ok(rendered);
    }
    if let Some(snapshot) = super::adopt::snapshot(conn, year)? {
        cache.put(year, version, snapshot.clone());
        return Ok(snapshot);
    }
    let report = assemble(conn, year)?;
    let body = serde_json::to_vec(&report).map_err(|e| ApiError::internal("report", e))?;
    let rendered = Arc::new(Rendered {
        etag: etag_of_bytes(&body),
        body: body.into(),
    });
    cache.put(year, version, rendered.clone());
    Ok(rendered)
}

/// The report of `year`: metadata, then per domain criteria, risks followed up, realisations
/// and planning.
pub fn assemble(conn: &mut PgConnection, year: i32) -> Result<Report, ApiError> {
    let report = repo::find(conn, year)?;
    let domain_rows: Vec<(String, String, Option<String>)> = domains::table
        .select((domains::id, domains::name, domains::description))
        .order((domains::position, domains::id))
        .load(conn)?;
    let mut criteria_by_domain = links::grouped(
        criteria::table
            .select((criteria::domain_id, criteria::id, criteria::text))
            .order((criteria::domain_id, criteria::position))
            .load::<(String, i32, String)>(conn)?
            .into_iter()
            .map(|(domain, id, text)| (domain, ReportCriterion { id, text }))
            .collect(),
    );

    type RiskRow = (
        i32,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<i32>,
        Option<i32>,
        RiskStatus,
        Option<String>,
        chrono::DateTime<chrono::Utc>,
    );
    let followed: Vec<RiskRow> = risks::table
        .inner_join(risk_assessments::table)
        .filter(risk_assessments::year.eq(year))
        .filter(risk_assessments::status.eq_any([RiskStatus::Open, RiskStatus::Monitoring]))
        .filter(
            risk_assessments::review
                .is_null()
                .or(risk_assessments::review.eq(ReviewState::Approved)),
        )
        .select((
            risks::id,
            risks::domain_id,
            risks::title,
            risks::description,
            risks::department_id,
            risk_assessments::likelihood,
            risk_assessments::impact,
            risk_assessments::status,
            risk_assessments::note,
            risk_assessments::updated_at,
        ))
        .order(risks::id)
        .load(conn)?;
    let mut risks_by_domain = links::grouped(
        followed
            .into_iter()
            .map(
                |(
                    id,
                    domain,
                    title,
                    description,
                    department_id,
                    likelihood,
                    impact,
                    status,
                    note,
                    updated_at,
                )| {
                    let input = AssessmentInput {
                        likelihood,
                        impact,
                        status,
                        note,
                    };
                    let assessment = input.into_assessment(year, updated_at);
                    (
                        domain,
                        ReportRisk {
                            id,
                            title,
                            description,
                            department_id,
                            assessment,
                        },
                    )
                },
            )
            .collect(),
    );

    let columns = (
        actions::id,
        actions::parent_id,
        actions::title,
        actions::description,
        actions::department_id,
    );
    let in_year: Vec<(ActionColumns, YearColumns)> = actions::table
        .inner_join(action_statuses::table)
        .filter(action_statuses::year.eq(year))
        .filter(
            action_statuses::review
                .is_null()
                .or(action_statuses::review.eq(ReviewState::Approved)),
        )
        .select((
            columns,
            (
                action_statuses::status,
                action_statuses::progress,
                action_statuses::note,
            ),
        ))
        .load(conn)?;
    let mut by_id: HashMap<i32, YearAction> = HashMap::new();
    for (row, (status, progress, note)) in in_year {
        let mut action = year_action(row);
        action.status = Some(status);
        action.progress = progress;
        action.note = note;
        by_id.insert(action.id, action);
    }
    // parents of listed sub-actions that have no status that year are shown as context
    let missing: Vec<i32> = by_id
        .values()
        .filter_map(|a| a.parent_id)
        .filter(|p| !by_id.contains_key(p))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let context: Vec<ActionColumns> = if missing.is_empty() {
        Vec::new()
    } else {
        actions::table
            .filter(actions::id.eq_any(&missing))
            .select(columns)
            .load(conn)?
    };
    for row in context {
        let action = year_action(row);
        by_id.insert(action.id, action);
    }
    // each action's domains with its place in each: those with a status in the year found
    // by the same condition (not by a list of thousands of ids), then the context parents'
    let place = (
        action_domains::action_id,
        (action_domains::domain_id, action_domains::position),
    );
    let mut places: Vec<(i32, (String, i32))> = action_domains::table
        .filter(
            action_domains::action_id.eq_any(
                action_statuses::table
                    .filter(action_statuses::year.eq(year))
                    .select(action_statuses::action_id),
            ),
        )
        .select(place)
        .load(conn)?;
    if !missing.is_empty() {
        places.extend(
            action_domains::table
                .filter(action_domains::action_id.eq_any(&missing))
                .select(place)
                .load::<(i32, (String, i32))>(conn)?,
        );
    }
    // per domain, its actions and each one's place in it
    let mut members: HashMap<String, HashMap<i32, i32>> = HashMap::new();
    for (action, (domain, position)) in places {
        members.entry(domain).or_default().insert(action, position);
    }
    let no_members = HashMap::new();
    let mut waiting = if report.review_required {
        waiting_by_domain(conn, year)?
    } else {
        HashMap::new()
    };

    let labels = Labels::dutch();
    let realised = |a: &YearAction| a.status == Some(Progress::Realised);
    let planned =
        |a: &YearAction| matches!(a.status, Some(Progress::Planned | Progress::InProgress));
    let domains = domain_rows
        .into_iter()
        .map(|(id, name, description)| {
            let criteria = criteria_by_domain.remove(&id).unwrap_or_default();
            let risks = risks_by_domain.remove(&id).unwrap_or_default();
            let members = members.get(&id).unwrap_or(&no_members);
            let realisations = section(&labels.realisations, &by_id, members, &realised);
            let planning = section(&labels.planning, &by_id, members, &planned);
            ReportDomain {
                criteria: Section {
                    label: labels.criteria.clone(),
                    count: criteria.len(),
                    items: criteria,
                },
                risks: Section {
                    label: labels.risks.clone(),
                    count: risks.len(),
                    items: risks,
                },
                realisations,
                planning,
                waiting: waiting.remove(&id).unwrap_or(0),
                id,
                name,
                description,
            }
        })
        .collect();
    let recommendations = recommendation_follow_up(conn, year)?;
    let self_evaluation = maturity(conn, year)?;
    Ok(Report {
        report,
        labels,
        domains,
        incomplete: None,
        recommendations,
        self_evaluation,
    })
}

/// The organisation's maturity per theme up to `year`, when it has self-evaluated: one
/// statement.
fn maturity(conn: &mut PgConnection, year: i32) -> Result<Option<MaturitySection>, ApiError> {
    let (trend, source) = trend::trend_with_source(conn, None, Some(year))?;
    Ok(source.map(|source| MaturitySection {
        label: "Zelfevaluatie organisatiebeheersing".into(),
        self_evaluation_id: source.id,
        title: source.title,
        year: source.year,
        evaluated_on: source.evaluated_on,
        trend,
    }))
}

/// The follow-up of the recommendations in `year`: the summary's counts, then, when there are
/// any, the overdue ones (one or two statements).
fn recommendation_follow_up(
    conn: &mut PgConnection,
    year: i32,
) -> Result<Option<RecommendationFollowUp>, ApiError> {
    let counts = summary::summary(conn, year)?.totals;
    if counts.recommendations == 0 {
        return Ok(None);
    }
    let overdue = if counts.overdue > 0 {
        summary::overdue(conn, year)?
    } else {
        Vec::new()
    };
    Ok(Some(RecommendationFollowUp {
        label: "Opvolging aanbevelingen".into(),
        counts,
        overdue,
    }))
}

#[derive(QueryableByName)]
struct Waiting {
    #[diesel(sql_type = diesel::sql_types::Text)]
    domain_id: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    rows: i32,
}

/// Per domain, how many of the year's statuses and assessments wait for review or were
/// returned (an action counts in each of its domains): one statement.
fn waiting_by_domain(conn: &mut PgConnection, year: i32) -> QueryResult<HashMap<String, i32>> {
    let found: Vec<Waiting> = ByName::new(
        "SELECT domain_id, count(*)::integer AS rows FROM ( \
             SELECT r.domain_id FROM risk_assessments a JOIN risks r ON r.id = a.risk_id \
             WHERE a.year = $1 AND a.review IN ('submitted', 'returned') \
             UNION ALL \
             SELECT d.domain_id FROM action_statuses s \
             JOIN action_domains d ON d.action_id = s.action_id \
             WHERE s.year = $1 AND s.review IN ('submitted', 'returned') \
         ) w GROUP BY domain_id",
        &[Part::Integer(year)],
    )
    .load(conn)?;
    Ok(found.into_iter().map(|w| (w.domain_id, w.rows)).collect())
}

/// The actions of a domain (its `members`, each with its place) that `listed` selects, with
/// sub-actions nested under their parent and a parent shown (as context) when only a
/// sub-action is listed.
fn section(
    label: &str,
    by_id: &HashMap<i32, YearAction>,
    members: &HashMap<i32, i32>,
    listed: &dyn Fn(&YearAction) -> bool,
) -> Section<ReportAction> {
    // a parent from another domain shown as context sorts after the domain's own actions
    let place = |id: i32| members.get(&id).copied();
    // the listed actions and, for context, the ancestors of listed sub-actions
    let mut shown: HashSet<i32> = HashSet::new();
    for action in members
        .keys()
        .filter_map(|id| by_id.get(id))
        .filter(|a| listed(a))
    {
        let mut current = Some(action);
        while let Some(a) = current {
            if !shown.insert(a.id) {
                break;
            }
            current = a.parent_id.and_then(|p| by_id.get(&p));
        }
    }
    // each parent's shown children as (place, id), in the order they are listed
    let mut children: BTreeMap<Option<i32>, Vec<(i32, i32)>> = BTreeMap::new();
    for id in &shown {
        let parent = by_id[id].parent_id.filter(|p| shown.contains(p));
        let key = (place(*id).unwrap_or(i32::MAX), *id);
        children.entry(parent).or_default().push(key);
    }
    for list in children.values_mut() {
        list.sort_unstable();
    }
    fn build(
        id: i32,
        by_id: &HashMap<i32, YearAction>,
        children: &BTreeMap<Option<i32>, Vec<(i32, i32)>>,
    ) -> ReportAction {
        let action = &by_id[&id];
        let sub_actions = children
            .get(&Some(id))
            .map(|ids| {
                ids.iter()
                    .map(|(_, c)| build(*c, by_id, children))
                    .collect()
            })
            .unwrap_or_default();
        ReportAction {
            id,
            title: action.title.clone(),
            description: action.description.clone(),
            department_id: action.department_id.clone(),
            status: action.status,
            progress: action.progress,
            note: action.note.clone(),
            sub_actions,
        }
    }
    let items: Vec<ReportAction> = children
        .get(&None)
        .map(|ids| {
            ids.iter()
                .map(|(_, id)| build(*id, by_id, &children))
                .collect()
        })
        .unwrap_or_default();
    Section {
        label: label.to_string(),
        count: shown.len(),
        items,
    }
}
