-- The certificates keep the wider CHECK; a dissolved one reads as valid again.
UPDATE certificates SET status = 'valid' WHERE status = 'dissolved';
DROP TABLE divorce_certificates;
DROP TABLE divorce_parties;
DROP TABLE divorce_applications;
