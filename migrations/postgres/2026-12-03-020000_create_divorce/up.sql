-- Divorce by agreement at the counter (issue 18; domain brief 8b): one row per application
-- received (受理), with its dates from the periods calculator, the marriage it ends (found in
-- our records, confirmed by the registering region's instance, or recorded from the paper
-- certificate), the agreement as given, and how it ended. Never deleted.
CREATE TABLE divorce_applications (
    id BIGSERIAL PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    office_id TEXT NOT NULL REFERENCES offices (id),
    status TEXT NOT NULL
        CHECK (status IN ('received', 'withdrawn', 'issued', 'refused', 'lapsed')),
    marriage_certificate TEXT NOT NULL,
    marriage_source TEXT NOT NULL CHECK (marriage_source IN ('register', 'partner', 'paper')),
    marriage_appointment_id BIGINT REFERENCES appointments (id),
    marriage_note TEXT,
    agreement_children TEXT NOT NULL,
    agreement_property TEXT NOT NULL,
    agreement_debts TEXT NOT NULL,
    received_on DATE NOT NULL,
    cooling_off_ends DATE NOT NULL,
    issue_from DATE NOT NULL,
    issue_until DATE NOT NULL,
    received_by BIGINT NOT NULL REFERENCES staff (id),
    received_at TIMESTAMPTZ NOT NULL,
    closed_by BIGINT REFERENCES staff (id),
    closed_at TIMESTAMPTZ,
    withdrawn_by_party INTEGER CHECK (withdrawn_by_party IN (0, 1)),
    certificate_number TEXT UNIQUE,
    refusal_reason TEXT,
    refusal_note TEXT
);
-- One marriage, one divorce under way or done: a second receipt of the same certificate
-- cannot commit, whatever the office or instance on this database.
CREATE UNIQUE INDEX divorce_applications_one_open ON divorce_applications (marriage_certificate)
    WHERE status IN ('received', 'issued');
CREATE INDEX divorce_applications_due ON divorce_applications (status, issue_until);

-- The two parties as received, with what their household check found.
CREATE TABLE divorce_parties (
    application_id BIGINT NOT NULL REFERENCES divorce_applications (id),
    idx INTEGER NOT NULL CHECK (idx IN (0, 1)),
    id_number TEXT NOT NULL,
    name TEXT NOT NULL,
    hukou_division_code TEXT NOT NULL,
    check_source TEXT NOT NULL CHECK (check_source IN ('local_register', 'partner', 'manual')),
    check_note TEXT,
    PRIMARY KEY (application_id, idx)
);
CREATE INDEX divorce_parties_person ON divorce_parties (id_number);

-- Divorce certificates: the L issued with the divorce and each reissue (补发, BL) from its own
-- per-office-year counter; a reissue supersedes the number before it. Never deleted.
CREATE TABLE divorce_certificates (
    number TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('L', 'BL')),
    application_id BIGINT NOT NULL REFERENCES divorce_applications (id),
    office_id TEXT NOT NULL REFERENCES offices (id),
    year INTEGER NOT NULL,
    serial INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('valid', 'superseded')),
    issued_by BIGINT NOT NULL REFERENCES staff (id),
    issued_at TIMESTAMPTZ NOT NULL,
    supersedes TEXT REFERENCES divorce_certificates (number),
    requested_by_party INTEGER CHECK (requested_by_party IN (0, 1)),
    note TEXT,
    UNIQUE (office_id, year, kind, serial)
);
CREATE INDEX divorce_certificates_application ON divorce_certificates (application_id);

-- A marriage ended by a divorce registered here is `dissolved`, never deleted.
ALTER TABLE certificates DROP CONSTRAINT certificates_status_check;
ALTER TABLE certificates ADD CONSTRAINT certificates_status_check
    CHECK (status IN ('valid', 'superseded', 'revoked', 'dissolved'));
