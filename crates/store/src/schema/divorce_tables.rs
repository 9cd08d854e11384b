//! Divorce applications, their parties and divorce certificates.

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
        appointment_id -> Nullable<BigInt>,
        reminded_open_at -> Nullable<Timestamp>,
        reminded_close_at -> Nullable<Timestamp>,
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
        email -> Nullable<Text>,
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
