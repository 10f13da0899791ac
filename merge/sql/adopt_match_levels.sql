-- The m and u of the model adopted from `donor` (merge/sql/adopt_match_model.sql), as run $run_id.
INSERT INTO match_levels
SELECT $run_id, l.customer_type, l.model, l.field, l.level, l.label, l.m_probability, l.u_probability
FROM donor.match_levels l
JOIN donor.match_models m ON m.run_id = l.run_id AND m.customer_type = l.customer_type;
