-- The common birth dates the model a full dedupe run fitted goes with, for incremental runs.
INSERT INTO match_common_birth_dates SELECT customer_type, birth_date, customers FROM common_birth_dates;
