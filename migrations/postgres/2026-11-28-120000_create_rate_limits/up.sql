-- The shared rate limiter (issue 14 §2): one GCRA row per key (route and client address), so
-- that every instance on this database takes from one allowance. `tat` is the theoretical
-- arrival time in microseconds since the Unix epoch; a row whose `tat` has passed is the same as
-- no row, and the sweep deletes it. Only PostgreSQL uses it (SQLite is one instance by design);
-- the table exists on both engines so that both have the same schema.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    tat BIGINT NOT NULL
);
CREATE INDEX rate_limits_tat ON rate_limits (tat);
