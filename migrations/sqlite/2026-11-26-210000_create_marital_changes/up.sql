-- This region's residents married here, with the status the register held before, so that a
-- revocation (婚姻无效/撤销: void from the start) gives it back.
CREATE TABLE marital_changes (
    appointment_id BIGINT NOT NULL REFERENCES appointments (id),
    id_number TEXT NOT NULL,
    previous_status TEXT NOT NULL,
    restored_at TIMESTAMP,
    PRIMARY KEY (appointment_id, id_number)
);
