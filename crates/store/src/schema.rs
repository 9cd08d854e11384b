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
        actor_role -> Nullable<Text>,
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

diesel::table! {
    office_schedules (office_id) {
        office_id -> Text,
        weekdays -> Text,
        periods -> Text,
        slot_minutes -> Integer,
        capacity -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    slots (id) {
        id -> Text,
        office_id -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        capacity -> Integer,
        booked -> Integer,
    }
}

diesel::table! {
    appointments (id) {
        id -> BigInt,
        reference -> Text,
        manage_token_hash -> Text,
        office_id -> Text,
        slot_id -> Nullable<Text>,
        status -> Text,
        contact_email -> Text,
        contact_phone -> Nullable<Text>,
        sequence -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    appointment_parties (appointment_id, idx) {
        appointment_id -> BigInt,
        idx -> Integer,
        id_number -> Text,
        name -> Text,
        hukou_division_code -> Text,
        permit_division_code -> Nullable<Text>,
        permit_valid_until -> Nullable<Date>,
        active -> Bool,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        kind -> Text,
        payload -> Text,
        created_at -> Timestamp,
        available_at -> Timestamp,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        office_id -> Nullable<Text>,
        redacted_at -> Nullable<Timestamp>,
    }
}

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
    household_records (id_number) {
        id_number -> Text,
        name -> Text,
        sex -> Text,
        birth_date -> Date,
        hukou_division_code -> Text,
        marital_status -> Text,
        updated_at -> Timestamp,
        marital_set_by -> Nullable<Text>,
        marital_set_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    household_checks (id) {
        id -> BigInt,
        appointment_id -> BigInt,
        party_idx -> Integer,
        source -> Text,
        outcome -> Text,
        found -> Nullable<Bool>,
        name_matches -> Nullable<Bool>,
        marital_status -> Nullable<Text>,
        hukou_division_code -> Nullable<Text>,
        reason -> Nullable<Text>,
        note -> Nullable<Text>,
        checked_by -> BigInt,
        checked_at -> Timestamp,
        document_reference -> Nullable<Text>,
        document_kind -> Nullable<Text>,
    }
}

diesel::table! {
    registered_parties (appointment_id, id_number) {
        appointment_id -> BigInt,
        id_number -> Text,
        registered_at -> Timestamp,
        released_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    declarations (appointment_id, party_idx) {
        appointment_id -> BigInt,
        party_idx -> Integer,
        no_spouse -> Bool,
        no_prohibited_kinship -> Bool,
        voluntary -> Bool,
        witnessed_by -> BigInt,
        declared_at -> Timestamp,
    }
}

diesel::table! {
    certificate_counters (office_id, year, kind) {
        office_id -> Text,
        year -> Integer,
        kind -> Text,
        last_serial -> Integer,
    }
}

diesel::table! {
    certificates (number) {
        number -> Text,
        kind -> Text,
        appointment_id -> BigInt,
        office_id -> Text,
        year -> Integer,
        serial -> Integer,
        status -> Text,
        issued_by -> BigInt,
        issued_at -> Timestamp,
        supersedes -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
        revocation_basis -> Nullable<Text>,
        revocation_document -> Nullable<Text>,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        tat -> BigInt,
    }
}

diesel::table! {
    refusals (appointment_id) {
        appointment_id -> BigInt,
        reason_code -> Text,
        note -> Text,
        refused_by -> BigInt,
        refused_at -> Timestamp,
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

diesel::joinable!(household_checks -> appointments (appointment_id));
diesel::table! {
    partner_nonces (key_id, nonce) {
        key_id -> Text,
        nonce -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    partner_notifications (event_id) {
        event_id -> Text,
        partner -> Text,
        kind -> Text,
        certificate_number -> Text,
        office -> Text,
        registered_at -> Timestamp,
        received_at -> Timestamp,
        applied -> Integer,
    }
}

diesel::table! {
    partner_marriages (id) {
        id -> BigInt,
        event_id -> Text,
        certificate_number -> Text,
        id_number -> Text,
        previous_status -> Text,
        restored_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    marital_changes (appointment_id, id_number) {
        appointment_id -> BigInt,
        id_number -> Text,
        previous_status -> Text,
        restored_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    registration_facts (appointment_id) {
        appointment_id -> BigInt,
        office_id -> Text,
        registered_at -> Timestamp,
        wait_seconds -> BigInt,
        basis -> Text,
        category -> Text,
        other_region -> Nullable<Text>,
    }
}

diesel::table! {
    divorce_applications (id) {
        id -> BigInt,
        reference -> Text,
        office_id -> Text,
        status -> Text,
        marriage_certificate -> Text,
        marriage_source -> Text,
        marriage_appointment_id -> Nullable<BigInt>,
        marriage_note -> Nullable<Text>,
        agreement_children -> Text,
        agreement_property -> Text,
        agreement_debts -> Text,
        received_on -> Date,
        cooling_off_ends -> Date,
        issue_from -> Date,
        issue_until -> Date,
        received_by -> BigInt,
        received_at -> Timestamp,
        closed_by -> Nullable<BigInt>,
        closed_at -> Nullable<Timestamp>,
        withdrawn_by_party -> Nullable<Integer>,
        certificate_number -> Nullable<Text>,
        refusal_reason -> Nullable<Text>,
        refusal_note -> Nullable<Text>,
    }
}

diesel::table! {
    divorce_parties (application_id, idx) {
        application_id -> BigInt,
        idx -> Integer,
        id_number -> Text,
        name -> Text,
        hukou_division_code -> Text,
        check_source -> Text,
        check_note -> Nullable<Text>,
    }
}

diesel::table! {
    divorce_certificates (number) {
        number -> Text,
        kind -> Text,
        application_id -> BigInt,
        office_id -> Text,
        year -> Integer,
        serial -> Integer,
        status -> Text,
        issued_by -> BigInt,
        issued_at -> Timestamp,
        supersedes -> Nullable<Text>,
        requested_by_party -> Nullable<Integer>,
        note -> Nullable<Text>,
    }
}

diesel::joinable!(divorce_parties -> divorce_applications (application_id));
diesel::joinable!(divorce_certificates -> divorce_applications (application_id));
diesel::table! {
    statistics_built (day) {
        day -> Text,
        region_prefix -> Text,
    }
}

diesel::table! {
    statistics_dirty (id) {
        id -> BigInt,
        day -> Text,
    }
}

diesel::table! {
    statistics_rollup (day, metric, office_id, region, basis, sub) {
        day -> Text,
        metric -> Text,
        office_id -> Text,
        region -> Text,
        basis -> Text,
        sub -> Text,
        n -> BigInt,
        total -> BigInt,
    }
}

diesel::joinable!(staff_sessions -> staff (staff_id));
diesel::joinable!(staff -> offices (office_id));
diesel::table! {
    appointment_holds (appointment_id) {
        appointment_id -> BigInt,
        expires_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        lapsed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    appointment_contacts (appointment_id, idx) {
        appointment_id -> BigInt,
        idx -> Integer,
        email -> Text,
        token_hash -> Text,
        confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    booking_locks (lock_key) {
        lock_key -> Text,
        touched_at -> Timestamp,
    }
}

diesel::joinable!(appointment_parties -> appointments (appointment_id));
diesel::joinable!(appointment_holds -> appointments (appointment_id));
diesel::joinable!(appointment_contacts -> appointments (appointment_id));
diesel::joinable!(appointments -> offices (office_id));
diesel::joinable!(appointments -> slots (slot_id));
diesel::joinable!(slots -> offices (office_id));
diesel::allow_tables_to_appear_in_same_query!(
    appointment_contacts,
    appointment_holds,
    citizen_sessions,
    citizen_sign_ins,
    appointment_parties,
    appointments,
    audit_events,
    booking_locks,
    certificate_counters,
    certificates,
    declarations,
    divorce_applications,
    divorce_certificates,
    divorce_parties,
    household_checks,
    household_records,
    idempotency_keys,
    marital_changes,
    office_schedules,
    offices,
    outbox,
    partner_marriages,
    partner_nonces,
    partner_notifications,
    rate_limits,
    refusals,
    registered_parties,
    registration_facts,
    sign_in_failures,
    slots,
    staff,
    staff_sessions,
    statistics_built,
    statistics_dirty,
    statistics_rollup,
);
