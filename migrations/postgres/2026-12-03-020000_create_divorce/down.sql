ALTER TABLE certificates DROP CONSTRAINT certificates_status_check;
UPDATE certificates SET status = 'valid' WHERE status = 'dissolved';
ALTER TABLE certificates ADD CONSTRAINT certificates_status_check
    CHECK (status IN ('valid', 'superseded', 'revoked'));
DROP TABLE divorce_certificates;
DROP TABLE divorce_parties;
DROP TABLE divorce_applications;
