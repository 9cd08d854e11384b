DROP TABLE booking_locks;
DROP TABLE appointment_contacts;
DROP TABLE appointment_holds;
