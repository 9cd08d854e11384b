CREATE TABLE household_checks_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    party_idx INTEGER NOT NULL CHECK (party_idx IN (0, 1)),
    source TEXT NOT NULL CHECK (source IN ('local_register', 'partner', 'manual')),
    outcome TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'unavailable')),
    found BOOLEAN,
    name_matches BOOLEAN,
    marital_status TEXT,
    hukou_division_code TEXT,
    reason TEXT,
    note TEXT,
    checked_by BIGINT NOT NULL REFERENCES staff (id),
    checked_at TIMESTAMP NOT NULL
);
INSERT INTO household_checks_old SELECT id, appointment_id, party_idx, source, outcome, found,
    name_matches, marital_status, hukou_division_code, reason, note, checked_by, checked_at
FROM household_checks WHERE source IN ('local_register', 'partner', 'manual');
DROP TABLE household_checks;
ALTER TABLE household_checks_old RENAME TO household_checks;
CREATE INDEX household_checks_application ON household_checks (appointment_id, party_idx);
ALTER TABLE household_records DROP COLUMN marital_set_at;
ALTER TABLE household_records DROP COLUMN marital_set_by;
DROP TABLE registered_parties;
