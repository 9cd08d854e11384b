//! The one schema both engines share (kept by hand in step with `migrations/*`).

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        request_id -> Nullable<Text>,
        actor_kind -> Text,
        actor_id -> Nullable<Text>,
        office_id -> Nullable<Text>,
        action -> Text,
        subject_kind -> Nullable<Text>,
        subject_id -> Nullable<Text>,
        details -> Text,
    }
}

diesel::table! {
    offices (id) {
        id -> Text,
        name -> Text,
        division_code -> Text,
        address -> Text,
        phone -> Text,
        created_at -> Timestamp,
    }
}
