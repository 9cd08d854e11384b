-- One row per marriage registered here, written in the registration's transaction, with what
-- the pilot statistics split by: the jurisdiction basis, local / cross-city / cross-province,
-- the other party's province for cross-province ones, and the wait from booking.
CREATE TABLE registration_facts (
    appointment_id BIGINT PRIMARY KEY REFERENCES appointments (id),
    office_id TEXT NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL,
    wait_seconds BIGINT NOT NULL,
    basis TEXT NOT NULL,
    category TEXT NOT NULL,
    other_region TEXT
);
-- Covering: a year of registrations is read from the index alone.
CREATE INDEX registration_facts_time ON registration_facts
    (registered_at, office_id, category, other_region, basis, wait_seconds);
-- Range scans of the statistics over one year.
CREATE INDEX appointments_created ON appointments (created_at, office_id, slot_id);
CREATE INDEX appointments_updated ON appointments (updated_at) WHERE status IN ('cancelled', 'no_show');
CREATE INDEX refusals_time ON refusals (refused_at);
CREATE INDEX household_checks_time ON household_checks (checked_at, appointment_id, party_idx, outcome)
    WHERE source = 'partner';
CREATE INDEX audit_events_action_time ON audit_events (action, occurred_at);
