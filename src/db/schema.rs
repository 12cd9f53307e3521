// Diesel table definitions, kept in step with `migrations/` (the `slug`
// domain is text to diesel).

diesel::table! {
    domains (id) {
        id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        position -> Integer,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    criteria (id) {
        id -> Integer,
        domain_id -> Text,
        text -> Text,
        position -> Integer,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
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
    themes (number) {
        number -> Integer,
        code -> Text,
        name -> Text,
    }
}

diesel::table! {
    risks (id) {
        id -> Integer,
        domain_id -> Text,
        title -> Text,
        description -> Nullable<Text>,
        department_id -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    risk_themes (risk_id, theme_code) {
        risk_id -> Integer,
        theme_code -> Text,
    }
}

diesel::table! {
    risk_assessments (risk_id, year) {
        risk_id -> Integer,
        year -> Integer,
        likelihood -> Nullable<Integer>,
        impact -> Nullable<Integer>,
        status -> Text,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    actions (id) {
        id -> Integer,
        external_ref -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        parent_id -> Nullable<Integer>,
        department_id -> Nullable<Text>,
        plan_ref -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    action_domains (action_id, domain_id) {
        action_id -> Integer,
        domain_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    action_risks (action_id, risk_id) {
        action_id -> Integer,
        risk_id -> Integer,
    }
}

diesel::table! {
    action_themes (action_id, theme_code) {
        action_id -> Integer,
        theme_code -> Text,
    }
}

diesel::table! {
    action_statuses (action_id, year) {
        action_id -> Integer,
        year -> Integer,
        status -> Text,
        progress -> Nullable<Integer>,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(criteria -> domains (domain_id));
diesel::joinable!(risks -> domains (domain_id));
diesel::joinable!(risk_assessments -> risks (risk_id));
diesel::joinable!(risk_themes -> risks (risk_id));
diesel::joinable!(action_domains -> actions (action_id));
diesel::joinable!(action_risks -> actions (action_id));
diesel::joinable!(action_themes -> actions (action_id));
diesel::joinable!(action_statuses -> actions (action_id));

diesel::allow_tables_to_appear_in_same_query!(
    domains,
    criteria,
    departments,
    themes,
    risks,
    risk_themes,
    risk_assessments,
    actions,
    action_domains,
    action_risks,
    action_themes,
    action_statuses,
);

diesel::table! {
    api_tokens (id) {
        id -> Integer,
        name -> Text,
        role -> Text,
        secret_hash -> Binary,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    api_token_departments (token_id, department_id) {
        token_id -> Integer,
        department_id -> Text,
    }
}

diesel::joinable!(api_token_departments -> api_tokens (token_id));
diesel::allow_tables_to_appear_in_same_query!(api_tokens, api_token_departments);

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at -> Timestamptz,
        actor -> Text,
        operation -> Text,
        entity_type -> Text,
        entity_id -> Text,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (actor, key) {
        actor -> Text,
        key -> Text,
        operation -> Text,
        request_hash -> Binary,
        status -> Integer,
        location -> Nullable<Text>,
        body -> Json,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    report_years (year) {
        year -> Integer,
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
    }
}

diesel::table! {
    report_snapshots (year) {
        year -> Integer,
        body -> Text,
        sha256 -> Text,
        adopted_at -> Timestamptz,
        adopted_by -> Text,
    }
}

diesel::table! {
    data_version (only_row) {
        only_row -> Bool,
        version -> BigInt,
    }
}
