-- The steward layer of the supervised model one dedupe run scored with (`steward_weights`,
-- registered by dedupe/scoring.py), as match_levels holds its m and u.
INSERT INTO match_steward_weights
SELECT $run_id, customer_type, field, level, label, weight, decisions
FROM steward_weights;
