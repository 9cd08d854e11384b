-- When the sweep replaced a delivered message's personal payload (after
-- `outbox.retention_days`); the row stays, for counts.
ALTER TABLE outbox ADD COLUMN redacted_at TIMESTAMPTZ;
CREATE INDEX outbox_unredacted ON outbox (delivered_at)
    WHERE delivered_at IS NOT NULL AND redacted_at IS NULL;
