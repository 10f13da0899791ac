-- The evidence behind the pairs of `review_report_pairs`: for the dedupe runs that scored
-- them, the weight of every level, log2(m/u) (match_levels, migration 0003). "missing" is not
-- a level of the model: it weighs nothing.
SELECT run_id, customer_type, field, label, level, log2(m_probability / u_probability) AS weight
FROM match_levels
WHERE run_id IN (SELECT DISTINCT run_id FROM candidate_pairs SEMI JOIN review_report_pairs USING (pair_id));
