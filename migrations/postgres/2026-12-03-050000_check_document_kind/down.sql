ALTER TABLE household_checks DROP COLUMN document_kind;
