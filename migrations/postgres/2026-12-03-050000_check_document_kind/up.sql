-- The kind of document a supervisor's override rests on (court_judgment, divorce_certificate,
-- death_certificate, register_correction); NULL for every other check.
ALTER TABLE household_checks ADD COLUMN document_kind TEXT;
