-- Nonces of accepted partner signatures, kept until the signature could no longer be accepted
-- anyway; the primary key makes a replay fail on every instance sharing the database.
CREATE TABLE partner_nonces (
    key_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (key_id, nonce)
);
CREATE INDEX partner_nonces_expiry ON partner_nonces (expires_at);

-- Notifications received from partner instances, once each (idempotent by event id).
CREATE TABLE partner_notifications (
    event_id TEXT PRIMARY KEY,
    partner TEXT NOT NULL,
    kind TEXT NOT NULL,
    certificate_number TEXT NOT NULL,
    office TEXT NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    applied INTEGER NOT NULL
);

-- Residents of this region whose marriage another region registered, with the marital status
-- the register held before, so that a revocation can restore it.
CREATE TABLE partner_marriages (
    id BIGSERIAL PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES partner_notifications (event_id),
    certificate_number TEXT NOT NULL,
    id_number TEXT NOT NULL,
    previous_status TEXT NOT NULL,
    restored_at TIMESTAMPTZ
);
CREATE INDEX partner_marriages_person ON partner_marriages (id_number);
