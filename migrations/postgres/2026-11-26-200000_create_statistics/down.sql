DROP INDEX audit_events_action_time;
DROP INDEX household_checks_time;
DROP INDEX refusals_time;
DROP INDEX appointments_updated;
DROP INDEX appointments_created;
DROP TABLE registration_facts;
