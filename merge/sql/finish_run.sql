-- A run ends, with its counts per step (or the reason it failed).
UPDATE runs SET status = $status, finished_at = $now, summary = $summary, error = $error WHERE run_id = $run_id;
