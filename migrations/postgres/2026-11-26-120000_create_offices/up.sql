-- Registration offices (婚姻登记处) of this instance's region.
CREATE TABLE offices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    division_code TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX offices_division ON offices (division_code);
