-- The customer base as the last successful consolidation left it (select_customer_base_state),
-- and that run's id.
SELECT summary->>'base_state', run_id FROM runs
WHERE command = 'run' AND status = 'succeeded' AND summary->>'base_state' IS NOT NULL
ORDER BY run_id DESC LIMIT 1;
