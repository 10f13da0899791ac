-- The common contact details of the model adopted from `donor` (merge/sql/adopt_match_model.sql).
INSERT INTO match_common_contacts SELECT * FROM donor.match_common_contacts;
