-- Staff of the offices (registrar, supervisor, auditor), their bearer sessions (tokens stored
-- only as SHA-256), and failed sign-ins for throttling across instances.
CREATE TABLE staff (
    id BIGSERIAL PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices (id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('registrar', 'supervisor', 'auditor')),
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

CREATE TABLE sign_in_failures (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_failures_user_time ON sign_in_failures (username, occurred_at);
