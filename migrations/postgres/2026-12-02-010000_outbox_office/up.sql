-- The registering office of a partner notification, as a column: an office's list of
-- deliveries is filtered in the query, before its limit (issue 14 §4). Earlier rows take it
-- from their payload.
ALTER TABLE outbox ADD COLUMN office_id TEXT;
UPDATE outbox SET office_id = payload::jsonb #>> '{notification,office,id}'
WHERE kind = 'partner_notification';
CREATE INDEX outbox_office ON outbox (kind, office_id, id);
