-- The steward layer of the kept supervised model, per customer type (the fitting run's rows
-- of match_steward_weights).
SELECT w.customer_type, w.field, w.level, w.label, w.weight, w.decisions
FROM match_steward_weights w
JOIN match_models m ON m.run_id = w.run_id AND m.customer_type = w.customer_type
WHERE m.model = 'supervised'
ORDER BY w.customer_type, w.field, w.level;
