-- Nobody the records show married is registered again (issue 14 §1).

-- One row per party of a marriage registered here. The partial unique index lets a person hold
-- one registration not released (by revocation), whatever the number of offices and instances
-- on this database: two registrations of one person cannot both commit.
CREATE TABLE registered_parties (
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    id_number TEXT NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL,
    released_at TIMESTAMPTZ,
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
ALTER TABLE household_records ADD COLUMN marital_set_at TIMESTAMPTZ;

-- Checks gain two sources: `registrations` (a marriage registered here) and
-- `supervisor_override` (with its document).
ALTER TABLE household_checks DROP CONSTRAINT household_checks_source_check;
ALTER TABLE household_checks ADD CONSTRAINT household_checks_source_check CHECK (source IN
    ('local_register', 'partner', 'manual', 'registrations', 'supervisor_override'));
ALTER TABLE household_checks ADD COLUMN document_reference TEXT;
