-- Nobody the records show married is registered again (issue 14 §1).

-- One row per party of a marriage registered here. The partial unique index lets a person hold
-- one registration not released (by revocation), whatever the number of offices and instances
-- on this database: two registrations of one person cannot both commit.
CREATE TABLE registered_parties (
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    id_number TEXT NOT NULL,
    registered_at TIMESTAMP NOT NULL,
    released_at TIMESTAMP,
    PRIMARY KEY (appointment_id, id_number)
);
CREATE UNIQUE INDEX registered_parties_one_marriage ON registered_parties (id_number)
    WHERE released_at IS NULL;
INSERT INTO registered_parties (appointment_id, id_number, registered_at)
SELECT p.appointment_id, p.id_number, a.updated_at
FROM appointment_parties p JOIN appointments a ON a.id = p.appointment_id
WHERE a.status = 'registered' AND a.id = (
    SELECT MAX(a2.id) FROM appointment_parties p2 JOIN appointments a2 ON a2.id = p2.appointment_id
    WHERE p2.id_number = p.id_number AND a2.status = 'registered');

-- Who last set a resident's marital status outside an import (`registration`, `revocation`,
-- `partner_notification`) and when: an older export never undoes it.
ALTER TABLE household_records ADD COLUMN marital_set_by TEXT;
ALTER TABLE household_records ADD COLUMN marital_set_at TIMESTAMP;

-- Checks gain two sources: `registrations` (a marriage registered here) and
-- `supervisor_override` (with its document). SQLite cannot change a CHECK: rebuild the table.
CREATE TABLE household_checks_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    party_idx INTEGER NOT NULL CHECK (party_idx IN (0, 1)),
    source TEXT NOT NULL CHECK (source IN
        ('local_register', 'partner', 'manual', 'registrations', 'supervisor_override')),
    outcome TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'unavailable')),
    found BOOLEAN,
    name_matches BOOLEAN,
    marital_status TEXT,
    hukou_division_code TEXT,
    reason TEXT,
    note TEXT,
    checked_by BIGINT NOT NULL REFERENCES staff (id),
    checked_at TIMESTAMP NOT NULL,
    document_reference TEXT
);
INSERT INTO household_checks_new (id, appointment_id, party_idx, source, outcome, found,
    name_matches, marital_status, hukou_division_code, reason, note, checked_by, checked_at)
SELECT id, appointment_id, party_idx, source, outcome, found, name_matches, marital_status,
    hukou_division_code, reason, note, checked_by, checked_at FROM household_checks;
DROP TABLE household_checks;
ALTER TABLE household_checks_new RENAME TO household_checks;
CREATE INDEX household_checks_application ON household_checks (appointment_id, party_idx);
