-- The transactional outbox: background work (mail, partner notifications) written in the same
-- transaction as the change that causes it, delivered by workers at least once.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    available_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    locked_until TIMESTAMPTZ,
    delivered_at TIMESTAMPTZ,
    failed_at TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (available_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
