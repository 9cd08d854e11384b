-- identity.mode = "contact": each party confirms the booking through their own contact.
-- A hold (status pending_confirmation) keeps its seat until expires_at; its parties are stored
-- inactive, so an unconfirmed hold never blocks a person. confirmed_at: both parties confirmed
-- (the booking became booked); lapsed_at: the sweep released it unconfirmed.
CREATE TABLE appointment_holds (
    appointment_id BIGINT PRIMARY KEY REFERENCES appointments (id),
    expires_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    lapsed_at TIMESTAMP
);
CREATE INDEX appointment_holds_open ON appointment_holds (expires_at)
    WHERE confirmed_at IS NULL AND lapsed_at IS NULL;

-- Each party's own contact and the SHA-256 of the secret of their confirmation link.
CREATE TABLE appointment_contacts (
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    idx INTEGER NOT NULL CHECK (idx IN (0, 1)),
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    confirmed_at TIMESTAMP,
    PRIMARY KEY (appointment_id, idx)
);
CREATE INDEX appointment_contacts_email ON appointment_contacts (email);

-- Locks shared by the instances of one database, one row per key, taken with an UPDATE until
-- the end of the transaction: `contact:<email>` before counting a contact's open holds,
-- `person:<SHA-256 of the ID number>` before completing a confirmation that may release that
-- person's earlier booking (so concurrent confirmations of one person queue, not collide).
CREATE TABLE booking_locks (
    lock_key TEXT PRIMARY KEY,
    touched_at TIMESTAMP NOT NULL
);
