DROP TABLE idempotency_keys;
DROP TABLE refusals;
DROP TABLE certificates;
DROP TABLE certificate_counters;
DROP TABLE declarations;
