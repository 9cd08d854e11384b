DROP TABLE household_checks;
DROP TABLE household_records;
