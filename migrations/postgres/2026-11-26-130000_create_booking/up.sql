-- Booking: each office's weekly rule, its slots with capacity and a booked count, and
-- appointments (an application from booking to outcome) with their two parties.
CREATE TABLE office_schedules (
    office_id TEXT PRIMARY KEY REFERENCES offices (id),
    weekdays TEXT NOT NULL,
    periods TEXT NOT NULL,
    slot_minutes INTEGER NOT NULL,
    capacity INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- A seat is taken with UPDATE … SET booked = booked + 1 WHERE booked < capacity; the CHECK is
-- the last line of defence.
CREATE TABLE slots (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices (id),
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity >= 0),
    booked INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
    UNIQUE (office_id, starts_at)
);

CREATE TABLE appointments (
    id BIGSERIAL PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    manage_token_hash TEXT NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices (id),
    slot_id TEXT REFERENCES slots (id),
    status TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    contact_phone TEXT,
    sequence INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX appointments_slot ON appointments (slot_id);

-- A person holds at most one active appointment: the partial unique index enforces it, whatever
-- the number of instances.
CREATE TABLE appointment_parties (
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    idx INTEGER NOT NULL CHECK (idx IN (0, 1)),
    id_number TEXT NOT NULL,
    name TEXT NOT NULL,
    hukou_division_code TEXT NOT NULL,
    permit_division_code TEXT,
    permit_valid_until DATE,
    active BOOLEAN NOT NULL,
    PRIMARY KEY (appointment_id, idx)
);
CREATE UNIQUE INDEX appointment_parties_one_active ON appointment_parties (id_number) WHERE active;
