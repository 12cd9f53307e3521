//! The demo data: the city of Mechelen's Voortgangsrapport 2022, transcribed cleanly:
//! domains and criteria, the high risks (assessed `open` in 2022, without scores: the report
//! gives none), every realisation (`realised` in 2022) and planning item (`planned`), and
//! the two audits by Audio it names, linked to the planning items that follow from them.
//! Invented on top of it: three departments (HR, financiën, ICT) owning the planning items
//! and risks whose title names them, and 2023 opened for collection, so the departments'
//! worklists hold what the 2022 report planned and followed up.
//!
//! The data lives in readable JSON files next to this module; each file is loaded through
//! the same repository functions the API uses.

use std::collections::HashMap;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use serde::Deserialize;

use crate::actions::dto::NewAction;
use crate::actions::statuses::dto::{Progress, StatusInput};
use crate::api::Precondition;
use crate::audits::{
    self,
    dto::{Auditor, NewAudit},
};
use crate::auth::Principal;
use crate::db::schema::{action_domains, actions as db_actions, departments, domains};
use crate::departments::{self as department, dto::NewDepartment};
use crate::domains::criteria::{self, dto::NewCriterion};
use crate::domains::{self as domain, dto::NewDomain};
use crate::error::ApiError;
use crate::reports;
use crate::reports::dto::{OpenInput, ReportYearInput};
use crate::risks::assessments::dto::{AssessmentInput, RiskStatus};
use crate::risks::dto::NewRisk;
use crate::{actions, actions::statuses, risks, risks::assessments};

const DOMAINS: &str = include_str!("domains.json");
const RISKS: &str = include_str!("risks.json");
const ACTIONS: &str = include_str!("actions.json");
const REPORT: &str = include_str!("report.json");
const AUDITS: &str = include_str!("audits.json");

/// A domain of the seed report with its criteria, in report order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoDomain {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub criteria: Vec<String>,
}

/// The seven domains of the seed report.
pub fn domains() -> Vec<DemoDomain> {
    serde_json::from_str(DOMAINS).expect("src/startup/demo/domains.json is valid")
}

/// The high risks of the seed report, all assessed in its year.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoRisks {
    pub year: i32,
    pub status: RiskStatus,
    pub risks: Vec<DemoRisk>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoRisk {
    pub domain_id: String,
    pub title: String,
    /// Only where the title names the department (invented: the seed names none).
    #[serde(default)]
    pub department_id: Option<String>,
}

impl DemoRisk {
    /// The risk as the API creates it: no description or themes in the seed.
    pub fn into_new(self) -> NewRisk {
        NewRisk {
            domain_id: self.domain_id,
            title: self.title,
            description: None,
            department_id: self.department_id,
            theme_codes: Vec::new(),
        }
    }
}

/// The realisations and planning of the seed report, domain by domain in seed order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoActions {
    pub year: i32,
    pub actions: Vec<DemoEntry>,
}

/// An entry of the seed's lists: an action where it is first listed, or, in a later domain
/// that shares it, its place in that domain's list.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum DemoEntry {
    Action(DemoAction),
    SameAs(DemoSameAs),
}

/// A shared action listed again in another of its domains.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSameAs {
    /// Title of the action, as first listed.
    pub same_as: String,
    pub domain_id: String,
}

/// One action, listed once even when it serves several domains; sub-actions share its
/// domains and status.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoAction {
    pub title: String,
    pub domain_ids: Vec<String>,
    pub status: Progress,
    /// Only where the title names the department (invented: the seed names none).
    #[serde(default)]
    pub department_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub sub_actions: Vec<String>,
}

/// An audit the seed names ("Audit Financiën (Audio)", "Audit informatiebeheer door
/// Audio"), with the planning items that follow from it, by title.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoAudit {
    pub title: String,
    pub auditor: Auditor,
    pub auditor_name: Option<String>,
    pub domain_ids: Vec<String>,
    pub actions: Vec<String>,
}

pub fn audits() -> Vec<DemoAudit> {
    serde_json::from_str(AUDITS).expect("src/startup/demo/audits.json is valid")
}

/// The departments the demo invents, for the planning items and risks whose title names one.
pub const DEPARTMENTS: [(&str, &str); 3] = [
    ("financien", "Financiën"),
    ("ict", "ICT"),
    ("personeel", "Personeel (HR)"),
];

/// The year the demo opens for collection, and its deadline.
pub const OPEN_YEAR: (i32, &str) = (2023, "2024-03-31");

/// The report year of the seed: its metadata and introduction.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoReport {
    pub year: i32,
    pub metadata: ReportYearInput,
}

pub fn report() -> DemoReport {
    serde_json::from_str(REPORT).expect("src/startup/demo/report.json is valid")
}

pub fn risks() -> DemoRisks {
    serde_json::from_str(RISKS).expect("src/startup/demo/risks.json is valid")
}

pub fn actions() -> DemoActions {
    serde_json::from_str(ACTIONS).expect("src/startup/demo/actions.json is valid")
}

/// Whether the database holds no data of its users yet (the seeded themes do not count).
fn is_empty(conn: &mut PgConnection) -> QueryResult<bool> {
    let has_domains: bool =
        diesel::select(diesel::dsl::exists(domains::table.select(domains::id))).get_result(conn)?;
    let has_departments: bool = diesel::select(diesel::dsl::exists(
        departments::table.select(departments::id),
    ))
    .get_result(conn)?;
    Ok(!has_domains && !has_departments)
}

/// Loads the demo data in one transaction when the database is empty; tells whether it did.
pub fn load_if_empty(conn: &mut PgConnection) -> Result<bool, ApiError> {
    conn.transaction(|conn| {
        if !is_empty(conn)? {
            return Ok(false);
        }
        for demo in domains() {
            domain::repo::create(
                conn,
                &demo_principal(),
                NewDomain {
                    id: demo.id.clone(),
                    name: demo.name,
                    description: demo.description,
                    position: None,
                },
            )?;
            for text in demo.criteria {
                criteria::repo::create(
                    conn,
                    &demo_principal(),
                    &demo.id,
                    NewCriterion {
                        text,
                        position: None,
                    },
                )?;
            }
        }
        for (id, name) in DEPARTMENTS {
            department::repo::create(
                conn,
                &demo_principal(),
                NewDepartment {
                    id: id.into(),
                    name: name.into(),
                },
            )?;
        }
        load_risks(conn)?;
        load_actions(conn)?;
        load_audits(conn)?;
        let report = report();
        reports::repo::put(
            conn,
            &demo_principal(),
            report.year,
            report.metadata,
            &Precondition::default(),
        )?;
        let (year, collect_until) = OPEN_YEAR;
        let open = OpenInput {
            collect_until: collect_until
                .parse()
                .map_err(|e| ApiError::internal("demo", e))?,
            review_required: true,
        };
        reports::cycle::repo::open(
            conn,
            &demo_principal(),
            year,
            open,
            &Precondition::default(),
        )?;
        Ok(true)
    })
}

/// The demo data is written by the service itself.
fn demo_principal() -> Principal {
    Principal::system("demo")
}

fn load_risks(conn: &mut PgConnection) -> Result<(), ApiError> {
    let demo = risks();
    for risk in demo.risks {
        let new = risk.into_new();
        let created = risks::repo::create(conn, &demo_principal(), new)?;
        let assessment = AssessmentInput {
            likelihood: None,
            impact: None,
            status: demo.status,
            note: None,
        };
        assessments::repo::put(
            conn,
            &demo_principal(),
            created.id,
            demo.year,
            assessment,
            &Precondition::default(),
        )?;
    }
    Ok(())
}

fn new_action(
    title: String,
    description: Option<String>,
    domain_ids: Vec<String>,
    parent_id: Option<i32>,
    department_id: Option<String>,
) -> NewAction {
    NewAction {
        external_ref: None,
        title,
        description,
        domain_ids,
        parent_id,
        risk_ids: Vec::new(),
        theme_codes: Vec::new(),
        department_id,
        plan_ref: None,
    }
}

fn load_actions(conn: &mut PgConnection) -> Result<(), ApiError> {
    let demo = actions();
    // each action with its sub-actions, by title, to place shared ones in later domains
    let mut created: HashMap<String, Vec<i32>> = HashMap::new();
    for entry in demo.actions {
        let action = match entry {
            DemoEntry::Action(action) => action,
            DemoEntry::SameAs(same) => {
                let ids = created.get(&same.same_as).ok_or_else(|| {
                    ApiError::internal("demo", format!("{} is not listed before", same.same_as))
                })?;
                for id in ids {
                    move_to_end(conn, *id, &same.domain_id)?;
                }
                continue;
            }
        };
        let status = StatusInput {
            status: action.status,
            progress: None,
            note: None,
        };
        let domains = action.domain_ids;
        let parent = actions::repo::create(
            conn,
            &demo_principal(),
            new_action(
                action.title.clone(),
                action.description,
                domains.clone(),
                None,
                action.department_id.clone(),
            ),
        )?;
        statuses::repo::put(
            conn,
            &demo_principal(),
            parent.id,
            demo.year,
            status.clone(),
            &Precondition::default(),
        )?;
        let mut ids = vec![parent.id];
        for title in action.sub_actions {
            let child = actions::repo::create(
                conn,
                &demo_principal(),
                new_action(
                    title,
                    None,
                    domains.clone(),
                    Some(parent.id),
                    action.department_id.clone(),
                ),
            )?;
            ids.push(child.id);
            statuses::repo::put(
                conn,
                &demo_principal(),
                child.id,
                demo.year,
                status.clone(),
                &Precondition::default(),
            )?;
        }
        created.insert(action.title, ids);
    }
    Ok(())
}

fn load_audits(conn: &mut PgConnection) -> Result<(), ApiError> {
    for demo in audits() {
        let action_ids: Vec<i32> = db_actions::table
            .filter(db_actions::title.eq_any(&demo.actions))
            .select(db_actions::id)
            .load(conn)?;
        if action_ids.len() != demo.actions.len() {
            return Err(ApiError::internal(
                "demo",
                format!("the actions of {} are not all listed", demo.title),
            ));
        }
        let new = NewAudit {
            external_ref: None,
            auditor: demo.auditor,
            auditor_name: demo.auditor_name,
            title: demo.title,
            description: None,
            audited_on: None,
            reference: None,
            report_url: None,
            theme_codes: Vec::new(),
            domain_ids: demo.domain_ids,
            action_ids,
        };
        audits::repo::create(conn, &demo_principal(), new)?;
    }
    Ok(())
}

/// Puts `action` at the end of `domain`'s list, where the seed lists it in that domain.
fn move_to_end(conn: &mut PgConnection, action: i32, domain: &str) -> QueryResult<()> {
    let last: Option<i32> = action_domains::table
        .filter(action_domains::domain_id.eq(domain))
        .select(diesel::dsl::max(action_domains::position))
        .get_result(conn)?;
    let moved = diesel::update(action_domains::table.find((action, domain)))
        .set(action_domains::position.eq(last.unwrap_or(0) + 1))
        .execute(conn)?;
    if moved == 1 {
        Ok(())
    } else {
        Err(diesel::result::Error::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use validator::Validate;

    use super::*;

    #[test]
    fn the_demo_risks_and_actions_pass_the_api_validation() {
        let domains: Vec<String> = domains().into_iter().map(|d| d.id).collect();
        let risks = risks();
        assert_eq!(risks.risks.len(), 27);
        for risk in risks.risks {
            assert!(domains.contains(&risk.domain_id), "{}", risk.title);
            let new = risk.into_new();
            assert!(new.validate().is_ok(), "{new:?}");
        }
        let mut titles = Vec::new();
        let mut shared = Vec::new();
        let mut places = Vec::new();
        for entry in actions().actions {
            let action = match entry {
                DemoEntry::Action(action) => action,
                DemoEntry::SameAs(same) => {
                    places.push((same.same_as, same.domain_id));
                    continue;
                }
            };
            for domain in action.domain_ids.iter().skip(1) {
                shared.push((action.title.clone(), domain.clone()));
            }
            assert!(
                action.domain_ids.iter().all(|d| domains.contains(d)),
                "{}",
                action.title
            );
            assert!(!action.domain_ids.is_empty());
            titles.push(action.title.clone());
            titles.extend(action.sub_actions.iter().cloned());
            if let Some(department) = &action.department_id {
                assert!(
                    DEPARTMENTS.iter().any(|(id, _)| id == department),
                    "{department}"
                );
            }
            let new = new_action(
                action.title,
                action.description,
                action.domain_ids,
                None,
                action.department_id,
            );
            assert!(new.validate().is_ok(), "{new:?}");
        }
        let count = titles.len();
        titles.sort();
        titles.dedup();
        assert_eq!(titles.len(), count, "an action is listed once");
        shared.sort();
        places.sort();
        assert_eq!(shared.len(), 16);
        assert_eq!(
            shared, places,
            "a shared action has its place in each later domain"
        );
    }

    #[test]
    fn the_demo_domains_pass_the_api_validation() {
        let domains = domains();
        assert_eq!(domains.len(), 7);
        assert_eq!(domains.iter().map(|d| d.criteria.len()).sum::<usize>(), 31);
        for demo in domains {
            let new = NewDomain {
                id: demo.id,
                name: demo.name,
                description: demo.description,
                position: None,
            };
            assert!(new.validate().is_ok(), "{new:?}");
            for text in demo.criteria {
                assert!(NewCriterion {
                    text,
                    position: None
                }
                .validate()
                .is_ok());
            }
        }
    }
}
