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

diesel::joinable!(criteria -> domains (domain_id));

diesel::allow_tables_to_appear_in_same_query!(domains, criteria, departments, themes);
