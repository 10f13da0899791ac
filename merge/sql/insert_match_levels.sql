-- The model one dedupe run scored with (`model_levels`, registered by dedupe/scoring.py).
INSERT INTO match_levels
SELECT $run_id, customer_type, model, field, level, label, m_probability, u_probability
FROM model_levels;
