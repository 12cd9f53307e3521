//! The demo data: the city of Mechelen's Voortgangsrapport 2022, transcribed cleanly.
//!
//! The data lives in readable JSON files next to this module; each file is loaded through
//! the same repository functions the API uses.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use serde::Deserialize;

use crate::criteria::{self, dto::NewCriterion};
use crate::db::schema::{departments, domains};
use crate::domains::{self as domain, dto::NewDomain};
use crate::error::ApiError;

const DOMAINS: &str = include_str!("domains.json");

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
    serde_json::from_str(DOMAINS).expect("src/demo/domains.json is valid")
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
                    &demo.id,
                    NewCriterion {
                        text,
                        position: None,
                    },
                )?;
            }
        }
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use validator::Validate;

    use super::*;

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
