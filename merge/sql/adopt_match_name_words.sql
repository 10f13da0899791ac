-- The name word shares of the model adopted from `donor` (merge/sql/adopt_match_model.sql).
INSERT INTO match_name_words SELECT * FROM donor.match_name_words;
