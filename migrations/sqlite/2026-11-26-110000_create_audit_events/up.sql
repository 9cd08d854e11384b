-- The audit trail: every state change and every read of a person's data by a registrar or a
-- partner leaves one row. Rows are only ever inserted.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TIMESTAMP NOT NULL,
    request_id TEXT,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    office_id TEXT,
    action TEXT NOT NULL,
    subject_kind TEXT,
    subject_id TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_subject ON audit_events (subject_kind, subject_id);
CREATE INDEX audit_events_office_time ON audit_events (office_id, occurred_at);
