//! The one schema both engines share (kept by hand in step with `migrations/*`), one file per
//! table group; the joins and the tables that may meet in one query are declared here.

mod booking_tables;
mod divorce_tables;
mod registration_tables;
mod staff_tables;
mod statistics_tables;

pub use booking_tables::*;
pub use divorce_tables::*;
pub use registration_tables::*;
pub use staff_tables::*;
pub use statistics_tables::*;

diesel::joinable!(household_checks -> appointments (appointment_id));
diesel::joinable!(divorce_parties -> divorce_applications (application_id));
diesel::joinable!(divorce_certificates -> divorce_applications (application_id));
diesel::joinable!(staff_sessions -> staff (staff_id));
diesel::joinable!(staff -> offices (office_id));
diesel::joinable!(appointment_parties -> appointments (appointment_id));
diesel::joinable!(appointment_holds -> appointments (appointment_id));
diesel::joinable!(appointment_contacts -> appointments (appointment_id));
diesel::joinable!(appointment_identities -> appointments (appointment_id));
diesel::joinable!(appointments -> offices (office_id));
diesel::joinable!(appointments -> slots (slot_id));
diesel::joinable!(slots -> offices (office_id));
diesel::allow_tables_to_appear_in_same_query!(
    appointment_contacts,
    appointment_holds,
    appointment_identities,
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
    office_special_dates,
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
