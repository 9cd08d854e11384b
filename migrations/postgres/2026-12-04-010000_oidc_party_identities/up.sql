-- identity.mode = "oidc" (issue 15): how each party of a booking proved who they are by signing
-- in at the province's real-name platform. The first party's row is written with the booking
-- (they booked signed in); the second party's when they sign in and confirm. A booking stands
-- (booked) once both rows exist; until then it is a hold (appointment_holds) that lapses.
CREATE TABLE appointment_identities (
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    idx INTEGER NOT NULL CHECK (idx IN (0, 1)),
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    confirmed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (appointment_id, idx)
);

-- "我的预约": a signed-in person's appointments, as either party, by their ID number.
CREATE INDEX appointment_parties_id_number ON appointment_parties (id_number);
