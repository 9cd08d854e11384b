-- This region's household register (imported from the public-security export), and the
-- household checks run on each party of an application, kept as history.
CREATE TABLE household_records (
    id_number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date DATE NOT NULL,
    hukou_division_code TEXT NOT NULL,
    marital_status TEXT NOT NULL
        CHECK (marital_status IN ('unmarried', 'married', 'divorced', 'widowed')),
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE household_checks (
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
CREATE INDEX household_checks_application ON household_checks (appointment_id, party_idx);
