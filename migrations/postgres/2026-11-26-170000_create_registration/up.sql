-- Declarations witnessed at the counter, certificate counters (incremented first, per office,
-- year and kind), certificates (never deleted), refusals, and idempotency keys of registrar
-- requests.
CREATE TABLE declarations (
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    party_idx INTEGER NOT NULL CHECK (party_idx IN (0, 1)),
    no_spouse BOOLEAN NOT NULL,
    no_prohibited_kinship BOOLEAN NOT NULL,
    voluntary BOOLEAN NOT NULL,
    witnessed_by BIGINT NOT NULL REFERENCES staff (id),
    declared_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (appointment_id, party_idx)
);

CREATE TABLE certificate_counters (
    office_id TEXT NOT NULL REFERENCES offices (id),
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    last_serial INTEGER NOT NULL,
    PRIMARY KEY (office_id, year, kind)
);

CREATE TABLE certificates (
    number TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('J', 'BJ')),
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    office_id TEXT NOT NULL REFERENCES offices (id),
    year INTEGER NOT NULL,
    serial INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('valid', 'superseded', 'revoked')),
    issued_by BIGINT NOT NULL REFERENCES staff (id),
    issued_at TIMESTAMPTZ NOT NULL,
    supersedes TEXT REFERENCES certificates (number),
    revoked_at TIMESTAMPTZ,
    revocation_basis TEXT,
    revocation_document TEXT,
    UNIQUE (office_id, year, kind, serial)
);
CREATE INDEX certificates_appointment ON certificates (appointment_id);

CREATE TABLE refusals (
    appointment_id BIGINT PRIMARY KEY REFERENCES appointments (id),
    reason_code TEXT NOT NULL,
    note TEXT NOT NULL,
    refused_by BIGINT NOT NULL REFERENCES staff (id),
    refused_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE idempotency_keys (
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    key TEXT NOT NULL,
    request TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (staff_id, key)
);
