ALTER TABLE divorce_applications DROP COLUMN reminded_close_at;
ALTER TABLE divorce_applications DROP COLUMN reminded_open_at;
ALTER TABLE divorce_parties DROP COLUMN email;
ALTER TABLE divorce_applications DROP COLUMN appointment_id;
ALTER TABLE appointments DROP COLUMN divorce_application_id;
ALTER TABLE appointments DROP COLUMN service;
