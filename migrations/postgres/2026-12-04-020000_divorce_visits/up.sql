-- Booking the two visits of a divorce (issue 18): an appointment is for a marriage (the
-- default, every row before this), for the application visit of a divorce (`divorce`), or for
-- the issue visit of a received divorce application (`divorce_issue`, naming it).
ALTER TABLE appointments ADD COLUMN service TEXT NOT NULL DEFAULT 'marriage'
    CHECK (service IN ('marriage', 'divorce', 'divorce_issue'));
ALTER TABLE appointments ADD COLUMN divorce_application_id BIGINT
    REFERENCES divorce_applications (id);

-- The application visit an application was received from, and each party's contact (the
-- confirmed contact of that visit, or the one given at the counter): the issue visit's
-- confirmation links and the reminders go there.
ALTER TABLE divorce_applications ADD COLUMN appointment_id BIGINT REFERENCES appointments (id);
ALTER TABLE divorce_parties ADD COLUMN email TEXT;

-- The two reminders, each sent once: when the issue window opens, and a few days before it
-- closes (set by the conditional update that queues them).
ALTER TABLE divorce_applications ADD COLUMN reminded_open_at TIMESTAMPTZ;
ALTER TABLE divorce_applications ADD COLUMN reminded_close_at TIMESTAMPTZ;
