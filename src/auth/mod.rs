//! Who may do what. Every authorization decision is made by the functions of this module:
//! [`required_role`] gates each operation (and writes its requirement into the contract),
//! [`ensure_may_change`] scopes editors to their departments.

pub mod secret;

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use crate::error::ApiError;

crate::db::text_enum! {
    /// What a token may do: readers read, editors also change the risks and actions of their
    /// departments, reviewers (the internal-control coordinator) also change those of every
    /// department, open and close a year's collection and review its answers, admins do
    /// everything (tokens, webhooks and the reference data besides).
    #[derive(PartialOrd, Ord)]
    pub enum Role {
        Reader,
        Editor,
        Reviewer,
        Admin,
    }
}

impl Role {
    /// Whether this role changes what every department owns, not only its own departments'.
    pub fn changes_every_department(self) -> bool {
        matches!(self, Role::Reviewer | Role::Admin)
    }
}

/// Whoever sent the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's name (the actor in the audit trail), or `anonymous`.
    pub name: String,
    /// The token's id, recorded with the name in the audit trail; `None` for an anonymous
    /// client and for the service's own work.
    pub token_id: Option<i32>,
    /// `None` for an anonymous client.
    pub role: Option<Role>,
    /// For editors: the departments they may change.
    pub departments: Vec<String>,
    /// The request this principal acts in, recorded with its writes.
    pub request_id: Option<String>,
}

impl Principal {
    pub fn anonymous() -> Self {
        Self {
            name: "anonymous".into(),
            role: None,
            departments: Vec::new(),
            token_id: None,
            request_id: None,
        }
    }

    /// A principal for work the service does itself (demo data, the command line).
    pub fn system(name: &str) -> Self {
        Self {
            name: name.into(),
            role: Some(Role::Admin),
            departments: Vec::new(),
            token_id: None,
            request_id: None,
        }
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let principal = req.extensions().get::<Principal>().cloned();
        ready(Ok(principal.unwrap_or_else(Principal::anonymous)))
    }
}

/// The role an operation needs, from its method and path template; `None` for the public
/// operations (health, the contract, Swagger UI).
pub fn required_role(method: &Method, template: &str) -> Option<Role> {
    let path = template.strip_prefix("/api/v1")?;
    if path.starts_with("/tokens") || path.starts_with("/webhooks") {
        return Some(Role::Admin);
    }
    if method == Method::GET || method == Method::HEAD {
        return Some(Role::Reader);
    }
    let cycle = ["/open", "/close", "/review"];
    if cycle.iter().any(|step| path.ends_with(step)) {
        return Some(Role::Reviewer);
    }
    // departments answer for their recommendations' statuses (the register is the
    // reviewer's), and import their filled-in worklists
    if path.starts_with("/recommendations/{id}/statuses") || path.ends_with("/worklist/import") {
        return Some(Role::Editor);
    }
    // the register of audits and the self-evaluations are the coordinator's
    let coordinated = ["/audits", "/recommendations", "/self-evaluations"];
    if coordinated.iter().any(|prefix| path.starts_with(prefix)) {
        return Some(Role::Reviewer);
    }
    if path.starts_with("/risks") || path.starts_with("/actions") {
        Some(Role::Editor)
    } else {
        Some(Role::Admin)
    }
}

/// Editors change only what their departments own; reviewers and admins change everything.
pub fn ensure_may_change(principal: &Principal, department: Option<&str>) -> Result<(), ApiError> {
    match principal.role {
        Some(role) if role.changes_every_department() => Ok(()),
        Some(Role::Editor) => match department {
            Some(department) if principal.departments.iter().any(|d| d == department) => Ok(()),
            Some(department) => Err(ApiError::Forbidden(format!(
                "The token `{}` may not change what the department `{department}` owns.",
                principal.name
            ))),
            None => Err(ApiError::Forbidden(format!(
                "The token `{}` may only change risks and actions owned by its departments; this one has no department.",
                principal.name
            ))),
        },
        _ => Err(ApiError::Forbidden(format!(
            "The token `{}` may not change data.",
            principal.name
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_need_the_documented_roles() {
        assert_eq!(required_role(&Method::GET, "/health/ready"), None);
        assert_eq!(
            required_role(&Method::GET, "/api/v1/actions"),
            Some(Role::Reader)
        );
        assert_eq!(
            required_role(&Method::PUT, "/api/v1/actions/{action_id}/statuses/{year}"),
            Some(Role::Editor)
        );
        assert_eq!(
            required_role(&Method::PATCH, "/api/v1/domains/{id}"),
            Some(Role::Admin)
        );
        assert_eq!(
            required_role(&Method::GET, "/api/v1/tokens"),
            Some(Role::Admin)
        );
    }

    #[test]
    fn editors_change_only_their_departments() {
        let editor = Principal {
            name: "financien-script".into(),
            role: Some(Role::Editor),
            departments: vec!["financien".into()],
            token_id: Some(7),
            request_id: None,
        };
        assert!(ensure_may_change(&editor, Some("financien")).is_ok());
        assert!(ensure_may_change(&editor, Some("personeel")).is_err());
        assert!(ensure_may_change(&editor, None).is_err());
        assert!(ensure_may_change(&Principal::system("demo"), None).is_ok());
        assert!(ensure_may_change(&Principal::anonymous(), Some("financien")).is_err());
    }
}
