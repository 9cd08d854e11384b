DROP TABLE marital_changes;
