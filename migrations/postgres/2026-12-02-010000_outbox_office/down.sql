DROP INDEX outbox_office;
ALTER TABLE outbox DROP COLUMN office_id;
