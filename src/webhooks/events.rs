//! What an audit event tells a subscriber: its event type, the department it concerns, and
//! the message body (Standard Webhooks: `type`, `timestamp`, `data`).

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::dto::{EventType, Payload};
use crate::audit::dto::Operation;
use crate::audit::EntityType;

/// An audit event as the fan-out reads it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub operation: Operation,
    pub entity_type: EntityType,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// The department of the entity (or of the action, risk or recommendation of a yearly
    /// row), if it has one.
    pub department_id: Option<String>,
}

/// The review state of a yearly row's representation, if it is reviewed.
fn review_state(value: Option<&Value>) -> Option<&str> {
    value?.get("review")?.get("state")?.as_str()
}

fn report_status(value: Option<&Value>) -> Option<&str> {
    value?.get("status")?.as_str()
}

/// The event type of a recorded write; `None` for what is not sent (API tokens, webhooks).
pub fn event_type(event: &Recorded) -> Option<EventType> {
    use EntityType as E;
    use EventType as T;
    let (before, after) = (event.before.as_ref(), event.after.as_ref());
    let yearly = |changed: T, submitted: T| {
        let (was, is) = (review_state(before), review_state(after));
        match is {
            Some("returned") if was != Some("returned") => T::ReviewReturned,
            Some("approved") if was != Some("approved") => T::ReviewApproved,
            Some("submitted") => submitted,
            _ => changed,
        }
    };
    Some(match event.entity_type {
        E::Action => T::ActionChanged,
        E::ActionStatus => yearly(T::ActionStatusChanged, T::ActionStatusSubmitted),
        E::Risk => T::RiskChanged,
        E::RiskAssessment => yearly(T::RiskAssessmentChanged, T::RiskAssessmentSubmitted),
        E::Recommendation => T::RecommendationChanged,
        E::RecommendationStatus => yearly(
            T::RecommendationStatusChanged,
            T::RecommendationStatusSubmitted,
        ),
        E::ReportYear => match (report_status(before), report_status(after)) {
            (was, Some("collecting")) if was != Some("collecting") => T::ReportOpened,
            (Some("collecting"), Some("draft")) => T::ReportCollectionClosed,
            (was, Some("adopted")) if was != Some("adopted") => T::ReportAdopted,
            _ => T::ReportChanged,
        },
        E::Domain => T::DomainChanged,
        E::Criterion => T::CriterionChanged,
        E::Department => T::DepartmentChanged,
        E::Audit => T::AuditChanged,
        E::SelfEvaluation => T::SelfEvaluationChanged,
        E::Token | E::Webhook => return None,
    })
}

/// The API path of the entity (its current state), if it has one of its own.
pub fn link(entity_type: EntityType, entity_id: &str, snapshot: Option<&Value>) -> Option<String> {
    use EntityType as E;
    let yearly = |parent: &str, child: &str| {
        let (id, year) = entity_id.split_once('/')?;
        Some(format!("/api/v1/{parent}/{id}/{child}/{year}"))
    };
    match entity_type {
        E::Action => Some(format!("/api/v1/actions/{entity_id}")),
        E::ActionStatus => yearly("actions", "statuses"),
        E::Risk => Some(format!("/api/v1/risks/{entity_id}")),
        E::RiskAssessment => yearly("risks", "assessments"),
        E::Recommendation => Some(format!("/api/v1/recommendations/{entity_id}")),
        E::RecommendationStatus => yearly("recommendations", "statuses"),
        E::ReportYear => Some(format!("/api/v1/reports/{entity_id}")),
        E::Domain => Some(format!("/api/v1/domains/{entity_id}")),
        E::Criterion => {
            let domain = snapshot?.get("domain_id")?.as_str()?;
            Some(format!("/api/v1/domains/{domain}/criteria/{entity_id}"))
        }
        E::Department => Some(format!("/api/v1/departments/{entity_id}")),
        E::Audit => Some(format!("/api/v1/audits/{entity_id}")),
        E::SelfEvaluation => Some(format!("/api/v1/self-evaluations/{entity_id}")),
        E::Token | E::Webhook => None,
    }
}

/// The message `webhook-id` of an audit event: the same for every subscription and attempt.
pub fn message_id(event: &Recorded) -> String {
    format!("msg_{}", event.id)
}

/// The body of the message about `event`, of type `kind`, in the subscription's `payload`.
pub fn body(event: &Recorded, kind: EventType, payload: Payload) -> Value {
    let snapshot = event.after.as_ref().or(event.before.as_ref());
    let mut data = Map::new();
    data.insert("audit_event_id".into(), json!(event.id));
    data.insert("operation".into(), json!(event.operation));
    data.insert("entity_type".into(), json!(event.entity_type));
    data.insert("entity_id".into(), json!(event.entity_id));
    data.insert("department_id".into(), json!(event.department_id));
    data.insert("actor".into(), json!(event.actor));
    let link = (event.operation != Operation::Delete)
        .then(|| link(event.entity_type, &event.entity_id, snapshot))
        .flatten();
    data.insert("link".into(), json!(link));
    if payload == Payload::Full {
        data.insert("before".into(), event.before.clone().unwrap_or(Value::Null));
        data.insert("after".into(), event.after.clone().unwrap_or(Value::Null));
    }
    envelope(kind, event.at, Value::Object(data))
}

/// A message: `{"type", "timestamp", "data"}`.
pub fn envelope(kind: EventType, at: DateTime<Utc>, data: Value) -> Value {
    json!({
        "type": kind.as_str(),
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "data": data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(entity_type: EntityType, before: Option<Value>, after: Option<Value>) -> Recorded {
        Recorded {
            id: 7,
            at: Utc::now(),
            actor: "test".into(),
            operation: match (&before, &after) {
                (None, _) => Operation::Create,
                (_, None) => Operation::Delete,
                _ => Operation::Update,
            },
            entity_type,
            entity_id: "12/2026".into(),
            before,
            after,
            department_id: None,
        }
    }

    #[test]
    fn a_yearly_row_tells_its_review() {
        let row = |state: &str| Some(json!({"status": "planned", "review": {"state": state}}));
        let kind =
            |before, after| event_type(&recorded(EntityType::ActionStatus, before, after)).unwrap();
        assert_eq!(
            kind(None, row("submitted")),
            EventType::ActionStatusSubmitted
        );
        assert_eq!(
            kind(row("submitted"), row("returned")),
            EventType::ReviewReturned
        );
        assert_eq!(
            kind(row("submitted"), row("approved")),
            EventType::ReviewApproved
        );
        assert_eq!(
            kind(row("returned"), row("submitted")),
            EventType::ActionStatusSubmitted
        );
        let unreviewed = Some(json!({"status": "planned", "review": null}));
        assert_eq!(kind(None, unreviewed), EventType::ActionStatusChanged);
    }

    #[test]
    fn a_report_year_tells_its_step() {
        let year = |status: &str| Some(json!({ "status": status }));
        let kind =
            |before, after| event_type(&recorded(EntityType::ReportYear, before, after)).unwrap();
        assert_eq!(kind(None, year("collecting")), EventType::ReportOpened);
        assert_eq!(
            kind(year("draft"), year("collecting")),
            EventType::ReportOpened
        );
        assert_eq!(
            kind(year("collecting"), year("draft")),
            EventType::ReportCollectionClosed
        );
        assert_eq!(
            kind(year("draft"), year("adopted")),
            EventType::ReportAdopted
        );
        assert_eq!(kind(year("draft"), year("draft")), EventType::ReportChanged);
        assert_eq!(kind(None, year("draft")), EventType::ReportChanged);
    }

    #[test]
    fn tokens_and_webhooks_are_never_sent() {
        assert_eq!(
            event_type(&recorded(EntityType::Token, None, Some(json!({})))),
            None
        );
        assert_eq!(
            event_type(&recorded(EntityType::Webhook, None, Some(json!({})))),
            None
        );
    }

    #[test]
    fn a_thin_body_links_and_a_full_one_shows_the_representation() {
        let event = recorded(
            EntityType::ActionStatus,
            None,
            Some(json!({"status": "planned", "review": null})),
        );
        let thin = body(&event, EventType::ActionStatusChanged, Payload::Thin);
        assert_eq!(thin["type"], "action_status.changed");
        assert_eq!(thin["data"]["link"], "/api/v1/actions/12/statuses/2026");
        assert!(thin["data"].get("after").is_none());
        let full = body(&event, EventType::ActionStatusChanged, Payload::Full);
        assert_eq!(full["data"]["after"]["status"], "planned");
        assert_eq!(full["data"]["before"], Value::Null);
    }
}
