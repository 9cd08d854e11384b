DROP TABLE appointment_parties;
DROP TABLE appointments;
DROP TABLE slots;
DROP TABLE office_schedules;
