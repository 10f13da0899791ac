-- The model incremental dedupe runs score with: per customer type, its prior and size
-- (match_models) and m and u of every level (the fitting run's match_levels).
SELECT m.customer_type, m.model, m.prior, m.customers, m.pairs_fitted, m.run_id,
       l.field, l.level, l.label, l.m_probability, l.u_probability
FROM match_models m
JOIN match_levels l ON l.run_id = m.run_id AND l.customer_type = m.customer_type
ORDER BY m.customer_type, l.field, l.level;
