-- The actor's role at the time of the event (registrar, supervisor, auditor).
ALTER TABLE audit_events ADD COLUMN actor_role TEXT;
