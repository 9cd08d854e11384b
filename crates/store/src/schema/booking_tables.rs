//! Offices, their schedules and slots, appointments with their parties, holds and contacts, the parties' sign-in identities, the booking locks and the outbox.

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
    office_special_dates (office_id, day) {
        office_id -> Text,
        day -> Text,
        periods -> Text,
        updated_at -> Timestamp,
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
        service -> Text,
        divorce_application_id -> Nullable<BigInt>,
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
    appointment_identities (appointment_id, idx) {
        appointment_id -> BigInt,
        idx -> Integer,
        issuer -> Text,
        subject -> Text,
        confirmed_at -> Timestamp,
    }
}

diesel::table! {
    booking_locks (lock_key) {
        lock_key -> Text,
        touched_at -> Timestamp,
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
