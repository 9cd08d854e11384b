DROP TABLE citizen_sessions;
DROP TABLE citizen_sign_ins;
