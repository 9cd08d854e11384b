//! Staff and their sessions, citizens' sign-ins and sessions, the audit trail, rate limits and idempotency keys.

diesel::table! {
    staff (id) {
        id -> BigInt,
        office_id -> Text,
        username -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    staff_sessions (token_hash) {
        token_hash -> Text,
        staff_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> BigInt,
        username -> Text,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    citizen_sign_ins (flow_hash) {
        flow_hash -> Text,
        state -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    citizen_sessions (token_hash) {
        token_hash -> Text,
        issuer -> Text,
        subject -> Text,
        id_number -> Text,
        name -> Text,
        provider_sid -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

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
        actor_role -> Nullable<Text>,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        tat -> BigInt,
    }
}

diesel::table! {
    idempotency_keys (staff_id, key) {
        staff_id -> BigInt,
        key -> Text,
        request -> Text,
        status -> Integer,
        response -> Text,
        created_at -> Timestamp,
    }
}
