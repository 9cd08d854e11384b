DROP INDEX outbox_unredacted;
ALTER TABLE outbox DROP COLUMN redacted_at;
