DROP TABLE sign_in_failures;
DROP TABLE staff_sessions;
DROP TABLE staff;
