-- Score with the model another warehouse fitted (attached as `donor`): its model, the
-- levels of its fitting run and its name counts replace this warehouse's, as run $run_id.
-- (One statement per table: merge/sql/adopt_match_levels.sql, adopt_match_steward_weights.sql,
-- adopt_match_name_counts.sql, adopt_match_name_words.sql, adopt_match_common_contacts.sql,
-- adopt_match_common_birth_dates.sql.)
INSERT INTO match_models
SELECT customer_type, model, prior, customers, pairs_fitted, $run_id, $now FROM donor.match_models;
