// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;

    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "xid8", schema = "pg_catalog"))]
    pub struct Xid8;
}

diesel::table! {
    action_domains (action_id, domain_id) {
        action_id -> Int4,
        domain_id -> Text,
        position -> Int4,
    }
}

diesel::table! {
    action_risks (action_id, risk_id) {
        action_id -> Int4,
        risk_id -> Int4,
    }
}

diesel::table! {
    action_statuses (action_id, year) {
        action_id -> Int4,
        year -> Int4,
        status -> Text,
        progress -> Nullable<Int4>,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        review -> Nullable<Text>,
        submitted_by -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamptz>,
        review_note -> Nullable<Text>,
    }
}

diesel::table! {
    action_themes (action_id, theme_code) {
        action_id -> Int4,
        theme_code -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    actions (id) {
        id -> Int4,
        external_ref -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        parent_id -> Nullable<Int4>,
        department_id -> Nullable<Text>,
        plan_ref -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
    }
}

diesel::table! {
    api_token_departments (token_id, department_id) {
        token_id -> Int4,
        department_id -> Text,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Int4,
        name -> Text,
        role -> Text,
        secret_hash -> Bytea,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    audit_actions (audit_id, action_id) {
        audit_id -> Int4,
        action_id -> Int4,
    }
}

diesel::table! {
    audit_domains (audit_id, domain_id) {
        audit_id -> Int4,
        domain_id -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Xid8;

    audit_events (id) {
        id -> Int8,
        at -> Timestamptz,
        actor -> Text,
        operation -> Text,
        entity_type -> Text,
        entity_id -> Text,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        request_id -> Nullable<Text>,
        actor_token_id -> Nullable<Int4>,
        xact_id -> Xid8,
    }
}

diesel::table! {
    audit_themes (audit_id, theme_code) {
        audit_id -> Int4,
        theme_code -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    audits (id) {
        id -> Int4,
        external_ref -> Nullable<Text>,
        auditor -> Text,
        auditor_name -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        audited_on -> Nullable<Date>,
        reference -> Nullable<Text>,
        report_url -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
    }
}

diesel::table! {
    criteria (id) {
        id -> Int4,
        domain_id -> Text,
        text -> Text,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    data_version (only_row) {
        only_row -> Bool,
        version -> Int8,
    }
}

diesel::table! {
    departments (id) {
        id -> Text,
        name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    domains (id) {
        id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (actor, key) {
        actor -> Text,
        key -> Text,
        operation -> Text,
        request_hash -> Bytea,
        status -> Int4,
        location -> Nullable<Text>,
        body -> Json,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    maturity_levels (level) {
        level -> Int2,
        name -> Text,
        cycle_phase -> Nullable<Text>,
        description -> Text,
        internal_control -> Text,
    }
}

diesel::table! {
    recommendation_actions (recommendation_id, action_id) {
        recommendation_id -> Int4,
        action_id -> Int4,
    }
}

diesel::table! {
    recommendation_statuses (recommendation_id, year) {
        recommendation_id -> Int4,
        year -> Int4,
        status -> Text,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        review -> Nullable<Text>,
        submitted_by -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamptz>,
        review_note -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    recommendations (id) {
        id -> Int4,
        audit_id -> Int4,
        external_ref -> Nullable<Text>,
        text -> Text,
        priority -> Text,
        department_id -> Nullable<Text>,
        due_on -> Nullable<Date>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
    }
}

diesel::table! {
    report_snapshots (year) {
        year -> Int4,
        body -> Text,
        sha256 -> Text,
        adopted_at -> Timestamptz,
        adopted_by -> Text,
    }
}

diesel::table! {
    report_years (year) {
        year -> Int4,
        title -> Text,
        status -> Text,
        presented_to -> Nullable<Text>,
        presented_on -> Nullable<Date>,
        adopted_on -> Nullable<Date>,
        decision_url -> Nullable<Text>,
        introduction -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        sha256 -> Nullable<Text>,
        collect_until -> Nullable<Date>,
        review_required -> Bool,
    }
}

diesel::table! {
    risk_assessments (risk_id, year) {
        risk_id -> Int4,
        year -> Int4,
        likelihood -> Nullable<Int4>,
        impact -> Nullable<Int4>,
        status -> Text,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        review -> Nullable<Text>,
        submitted_by -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamptz>,
        review_note -> Nullable<Text>,
    }
}

diesel::table! {
    risk_themes (risk_id, theme_code) {
        risk_id -> Int4,
        theme_code -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    risks (id) {
        id -> Int4,
        domain_id -> Text,
        title -> Text,
        description -> Nullable<Text>,
        department_id -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
    }
}

diesel::table! {
    self_evaluation_actions (self_evaluation_id, theme_code, action_id) {
        self_evaluation_id -> Int4,
        theme_code -> Text,
        action_id -> Int4,
    }
}

diesel::table! {
    self_evaluation_scores (self_evaluation_id, theme_code) {
        self_evaluation_id -> Int4,
        year -> Int4,
        theme_code -> Text,
        score -> Int2,
        target -> Nullable<Int2>,
        reasoning -> Nullable<Text>,
        evidence -> Nullable<Text>,
        evidence_urls -> Array<Nullable<Text>>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    self_evaluations (id) {
        id -> Int4,
        external_ref -> Nullable<Text>,
        year -> Int4,
        title -> Text,
        scope -> Text,
        department_id -> Nullable<Text>,
        evaluated_on -> Nullable<Date>,
        method -> Nullable<Text>,
        participants -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
    }
}

diesel::table! {
    themes (number) {
        number -> Int4,
        code -> Text,
        name -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Xid8;

    webhook_cursor (only_row) {
        only_row -> Bool,
        xact_id -> Xid8,
        event_id -> Int8,
    }
}

diesel::table! {
    webhook_deadline_notices (year, department_id) {
        year -> Int4,
        department_id -> Text,
        sent_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Int8,
        webhook_id -> Int4,
        message_id -> Text,
        event_type -> Text,
        audit_event_id -> Nullable<Int8>,
        body -> Jsonb,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        lease_until -> Nullable<Timestamptz>,
        first_attempt_at -> Nullable<Timestamptz>,
        last_attempt_at -> Nullable<Timestamptz>,
        last_status -> Nullable<Int4>,
        last_duration_ms -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        delivered_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Xid8;

    webhooks (id) {
        id -> Int4,
        url -> Text,
        description -> Nullable<Text>,
        event_types -> Array<Nullable<Text>>,
        department_id -> Nullable<Text>,
        payload -> Text,
        active -> Bool,
        state -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamptz>,
        since_xact -> Xid8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(action_domains -> actions (action_id));
diesel::joinable!(action_domains -> domains (domain_id));
diesel::joinable!(action_risks -> actions (action_id));
diesel::joinable!(action_risks -> risks (risk_id));
diesel::joinable!(action_statuses -> actions (action_id));
diesel::joinable!(action_themes -> actions (action_id));
diesel::joinable!(actions -> departments (department_id));
diesel::joinable!(api_token_departments -> api_tokens (token_id));
diesel::joinable!(api_token_departments -> departments (department_id));
diesel::joinable!(audit_actions -> actions (action_id));
diesel::joinable!(audit_actions -> audits (audit_id));
diesel::joinable!(audit_domains -> audits (audit_id));
diesel::joinable!(audit_domains -> domains (domain_id));
diesel::joinable!(audit_events -> api_tokens (actor_token_id));
diesel::joinable!(audit_themes -> audits (audit_id));
diesel::joinable!(criteria -> domains (domain_id));
diesel::joinable!(recommendation_actions -> actions (action_id));
diesel::joinable!(recommendation_actions -> recommendations (recommendation_id));
diesel::joinable!(recommendation_statuses -> recommendations (recommendation_id));
diesel::joinable!(recommendations -> audits (audit_id));
diesel::joinable!(recommendations -> departments (department_id));
diesel::joinable!(report_snapshots -> report_years (year));
diesel::joinable!(risk_assessments -> risks (risk_id));
diesel::joinable!(risk_themes -> risks (risk_id));
diesel::joinable!(risks -> departments (department_id));
diesel::joinable!(risks -> domains (domain_id));
diesel::joinable!(self_evaluation_actions -> actions (action_id));
diesel::joinable!(self_evaluations -> departments (department_id));
diesel::joinable!(webhook_deadline_notices -> departments (department_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhooks -> departments (department_id));

diesel::allow_tables_to_appear_in_same_query!(
    action_domains,
    action_risks,
    action_statuses,
    action_themes,
    actions,
    api_token_departments,
    api_tokens,
    audit_actions,
    audit_domains,
    audit_events,
    audit_themes,
    audits,
    criteria,
    data_version,
    departments,
    domains,
    idempotency_keys,
    maturity_levels,
    recommendation_actions,
    recommendation_statuses,
    recommendations,
    report_snapshots,
    report_years,
    risk_assessments,
    risk_themes,
    risks,
    self_evaluation_actions,
    self_evaluation_scores,
    self_evaluations,
    themes,
    webhook_cursor,
    webhook_deadline_notices,
    webhook_deliveries,
    webhooks,
);
