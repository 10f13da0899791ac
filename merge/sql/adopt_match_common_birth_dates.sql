-- The common birth dates of the model adopted from `donor` (merge/sql/adopt_match_model.sql).
INSERT INTO match_common_birth_dates SELECT * FROM donor.match_common_birth_dates;
