-- When each staff session was last used, for the idle time-out (staff.idle_minutes).
ALTER TABLE staff_sessions ADD COLUMN last_used_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE staff_sessions SET last_used_at = created_at;
