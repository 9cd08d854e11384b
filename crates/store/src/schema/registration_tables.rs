//! The household register and its checks, declarations, certificates and their counters, refusals, marital changes and the partner protocol's rows.

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
    refusals (appointment_id) {
        appointment_id -> BigInt,
        reason_code -> Text,
        note -> Text,
        refused_by -> BigInt,
        refused_at -> Timestamp,
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
