ALTER TABLE staff_sessions DROP COLUMN last_used_at;
