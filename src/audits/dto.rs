//! Wire types of audits.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::body::{nullable, present};
use crate::api::limits::{
    ACTIONS_PER_AUDIT, DESCRIPTION_MAX, DOMAINS_PER_ACTION, REF_MAX, THEMES_MAX, TITLE_MAX, URL_MAX,
};
use crate::api::listing::searchable_query;
use crate::api::timestamp::DateTime;
use crate::api::validate::{self, plausible_date, single_line, web_url};

crate::db::text_enum! {
    /// Who audited: `audit_vlaanderen`, the organisation's `internal_audit`, an
    /// `external_auditor`, or `other` (name it in `auditor_name`).
    pub enum Auditor {
        AuditVlaanderen,
        InternalAudit,
        ExternalAuditor,
        Other,
    }
}

/// An audit the organisation underwent, with what it concerned and the actions that follow
/// from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Audit {
    /// Identifier of the audit.
    #[schema(example = 1)]
    pub id: i32,
    /// The organisation's own key for the audit, unique, or null.
    #[schema(required = true, example = "AUD-2022-FIN")]
    pub external_ref: Option<String>,
    /// Who audited.
    #[schema(example = "other")]
    pub auditor: Auditor,
    /// The auditor's name, or null.
    #[schema(required = true, example = "Audio")]
    pub auditor_name: Option<String>,
    /// Title of the audit.
    #[schema(example = "Audit Financiën")]
    pub title: String,
    /// What the audit covered, or null.
    #[schema(required = true, example = "Audit van de financiële processen.")]
    pub description: Option<String>,
    /// The day of the audit (or of its report), or null.
    #[schema(required = true, value_type = Option<String>, format = Date, example = "2022-05-17")]
    pub audited_on: Option<NaiveDate>,
    /// The reference of the audit report, or null.
    #[schema(required = true, example = "AV-2022-017")]
    pub reference: Option<String>,
    /// Link to the audit report, or null.
    #[schema(
        required = true,
        example = "https://www.auditvlaanderen.be/rapporten/mechelen-2022"
    )]
    pub report_url: Option<String>,
    /// Codes of the Leidraad themes the audit concerned, sorted.
    #[schema(example = json!(["FIM"]))]
    pub theme_codes: Vec<String>,
    /// The control domains the audit concerned, sorted.
    #[schema(example = json!(["voorkomen-fraude-en-fouten"]))]
    pub domain_ids: Vec<String>,
    /// The actions that follow from the audit (its action plan), sorted.
    #[schema(example = json!([12, 14]))]
    pub action_ids: Vec<i32>,
    /// When the audit was registered.
    pub created_at: DateTime,
    /// When it was last changed.
    pub updated_at: DateTime,
}

/// A new audit.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAudit {
    /// The organisation's own key, unique, 1 to 100 characters.
    #[serde(default)]
    #[validate(length(min = 1, max = REF_MAX), custom(function = "single_line"))]
    #[schema(example = "AUD-2022-FIN", min_length = 1)]
    pub external_ref: Option<String>,
    /// Who audited.
    #[schema(example = "audit_vlaanderen")]
    pub auditor: Auditor,
    /// The auditor's name, 1 to 300 characters.
    #[serde(default)]
    #[validate(length(min = 1, max = TITLE_MAX), custom(function = "single_line"))]
    #[schema(example = "Audit Vlaanderen", min_length = 1)]
    pub auditor_name: Option<String>,
    /// Title, 1 to 300 characters.
    #[validate(custom(function = "validate::title"))]
    #[schema(example = "Organisatie-audit", min_length = 1)]
    pub title: String,
    /// What the audit covered, at most 20000 characters.
    #[serde(default)]
    #[validate(length(max = DESCRIPTION_MAX))]
    #[schema(example = "Audit van de financiële processen.", max_length = 20000)]
    pub description: Option<String>,
    /// The day of the audit or of its report.
    #[serde(default)]
    #[validate(custom(function = "plausible_date"))]
    #[schema(value_type = Option<String>, format = Date, example = "2022-05-17")]
    pub audited_on: Option<NaiveDate>,
    /// The reference of the audit report, 1 to 300 characters.
    #[serde(default)]
    #[validate(length(min = 1, max = TITLE_MAX), custom(function = "single_line"))]
    #[schema(example = "AV-2022-017", min_length = 1)]
    pub reference: Option<String>,
    /// Link to the audit report: an absolute `http` or `https` address.
    #[serde(default)]
    #[validate(custom(function = "web_url"), length(max = URL_MAX))]
    #[schema(
        example = "https://www.auditvlaanderen.be/rapporten/mechelen-2022",
        max_length = 2000,
        pattern = "^https?://"
    )]
    pub report_url: Option<String>,
    /// Codes of the Leidraad themes it concerned, at most 11.
    #[serde(default)]
    #[validate(length(max = THEMES_MAX))]
    #[schema(example = json!(["FIM"]), max_items = 11)]
    pub theme_codes: Vec<String>,
    /// The control domains it concerned, at most 20.
    #[serde(default)]
    #[validate(length(max = DOMAINS_PER_ACTION))]
    #[schema(example = json!(["voorkomen-fraude-en-fouten"]), max_items = 20)]
    pub domain_ids: Vec<String>,
    /// The actions that follow from it, at most 100.
    #[serde(default)]
    #[validate(length(max = ACTIONS_PER_AUDIT))]
    #[schema(example = json!([12]), max_items = 100)]
    pub action_ids: Vec<i32>,
}

/// Changes to an audit, as a JSON Merge Patch: send only the members to change; `null`
/// removes an optional one; a list replaces the whole list.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditPatch {
    /// New external key, or null to remove it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = REF_MAX), custom(function = "single_line"))]
    #[schema(value_type = Option<String>, example = "AUD-2022-FIN")]
    pub external_ref: Option<Option<String>>,
    /// Who audited.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Auditor>, example = "internal_audit", nullable = false)]
    pub auditor: Option<Auditor>,
    /// The auditor's name, or null.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = TITLE_MAX), custom(function = "single_line"))]
    #[schema(value_type = Option<String>, example = "Audio")]
    pub auditor_name: Option<Option<String>>,
    /// New title, 1 to 300 characters.
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "validate::title"))]
    #[schema(example = "Audit Financiën", nullable = false, min_length = 1)]
    pub title: Option<String>,
    /// New description, or null.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = DESCRIPTION_MAX))]
    #[schema(value_type = Option<String>, example = "Audit van de financiële processen.", max_length = 20000)]
    pub description: Option<Option<String>>,
    /// New day, or null.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "plausible_date"))]
    #[schema(value_type = Option<String>, format = Date, example = "2022-05-17")]
    pub audited_on: Option<Option<NaiveDate>>,
    /// New report reference, or null.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = TITLE_MAX), custom(function = "single_line"))]
    #[schema(value_type = Option<String>, example = "AV-2022-017")]
    pub reference: Option<Option<String>>,
    /// New report link, or null.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "web_url"), length(max = URL_MAX))]
    #[schema(value_type = Option<String>, example = "https://www.auditvlaanderen.be/rapporten/mechelen-2022", max_length = 2000)]
    pub report_url: Option<Option<String>>,
    /// The complete new set of theme codes.
    #[serde(default, deserialize_with = "present")]
    #[validate(length(max = THEMES_MAX))]
    #[schema(example = json!(["FIM"]), nullable = false, max_items = 11)]
    pub theme_codes: Option<Vec<String>>,
    /// The complete new set of domains.
    #[serde(default, deserialize_with = "present")]
    #[validate(length(max = DOMAINS_PER_ACTION))]
    #[schema(example = json!(["voorkomen-fraude-en-fouten"]), nullable = false, max_items = 20)]
    pub domain_ids: Option<Vec<String>>,
    /// The complete new set of actions that follow from it.
    #[serde(default, deserialize_with = "present")]
    #[validate(length(max = ACTIONS_PER_AUDIT))]
    #[schema(example = json!([12]), nullable = false, max_items = 100)]
    pub action_ids: Option<Vec<i32>>,
}

searchable_query! {
    /// Filters, order and paging of the audit list.
    pub struct AuditQuery {
        /// Only audits by this kind of auditor.
        #[param(example = "audit_vlaanderen")]
        pub auditor: Option<Auditor>,
        /// Only audits that concerned this domain.
        #[param(example = "voorkomen-fraude-en-fouten")]
        pub domain_id: Option<String>,
        /// Only audits that concerned this theme code.
        #[param(example = "FIM")]
        pub theme: Option<String>,
        /// Only audits this action follows from.
        #[param(example = 12, minimum = 1)]
        pub action_id: Option<i32>,
    }
    q: {
        /// Full-text search in title, auditor name and description (Dutch, accents ignored;
        /// websearch syntax), at most 200 characters and 20 words.
        #[param(example = "financien")]
    }
    updated_since: {
        /// Only audits changed at or after this time (ISO 8601 with offset).
    }
    sort: {
        /// Order: id (default), -id, title, -title, created_at, -created_at, updated_at,
        /// -updated_at, or rank (relevance to `q`, the default when searching).
        #[param(example = "title")]
    }
}
