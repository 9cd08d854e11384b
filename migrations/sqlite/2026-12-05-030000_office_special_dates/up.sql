-- The supervisor's special dates of an office: a date closed (periods empty) or opened with its
-- own periods ("HH:MM-HH:MM,…"), overriding the week, the holiday calendar and the instance's
-- configured exceptions for that office. `day` is YYYY-MM-DD (Asia/Shanghai).
CREATE TABLE office_special_dates (
    office_id TEXT NOT NULL REFERENCES offices (id),
    day TEXT NOT NULL,
    periods TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (office_id, day)
);
