-- 0005: the warehouse's own identity, for the steward's review report (`unifica review`).
-- One row, made once when the warehouse is created or upgraded: every report carries the id,
-- so a report exported from another warehouse (a copy, a test file, a colleague's laptop) is
-- recognised on `review apply` and none of its rows are applied here.
CREATE TABLE warehouse_info (
    warehouse_id   TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
INSERT INTO warehouse_info VALUES (uuid()::TEXT, now()::TIMESTAMP);
