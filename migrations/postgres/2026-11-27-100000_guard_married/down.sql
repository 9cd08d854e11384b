DELETE FROM household_checks WHERE source IN ('registrations', 'supervisor_override');
ALTER TABLE household_checks DROP COLUMN document_reference;
ALTER TABLE household_checks DROP CONSTRAINT household_checks_source_check;
ALTER TABLE household_checks ADD CONSTRAINT household_checks_source_check
    CHECK (source IN ('local_register', 'partner', 'manual'));
ALTER TABLE household_records DROP COLUMN marital_set_at;
ALTER TABLE household_records DROP COLUMN marital_set_by;
DROP TABLE registered_parties;
