-- Citizen sign-in over OpenID Connect (issue 15). A sign-in in progress keeps its state, nonce
-- and PKCE verifier here, keyed by the SHA-256 of a random cookie, until the provider sends the
-- browser back (single use, short expiry); a signed-in citizen's session is a row keyed by the
-- SHA-256 of the session cookie, holding what the provider's verified ID token said.
CREATE TABLE citizen_sign_ins (
    flow_hash TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX citizen_sign_ins_expires ON citizen_sign_ins (expires_at);

CREATE TABLE citizen_sessions (
    token_hash TEXT PRIMARY KEY,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    id_number TEXT NOT NULL,
    name TEXT NOT NULL,
    provider_sid TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX citizen_sessions_expires ON citizen_sessions (expires_at);
CREATE INDEX citizen_sessions_subject ON citizen_sessions (issuer, subject);
