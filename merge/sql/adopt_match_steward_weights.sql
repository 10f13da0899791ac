-- The steward layer of the model adopted from `donor` (merge/sql/adopt_match_model.sql), as
-- run $run_id.
INSERT INTO match_steward_weights
SELECT $run_id, w.customer_type, w.field, w.level, w.label, w.weight, w.decisions
FROM donor.match_steward_weights w
JOIN donor.match_models m ON m.run_id = w.run_id AND m.customer_type = w.customer_type;
