//! The statistics' facts and daily rollup.

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
