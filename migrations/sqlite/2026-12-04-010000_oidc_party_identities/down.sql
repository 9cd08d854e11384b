DROP INDEX appointment_parties_id_number;
DROP TABLE appointment_identities;
