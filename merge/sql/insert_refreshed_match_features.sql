-- The features a dedupe run took of new and changed customers (fresh_features), kept for the next runs.
INSERT INTO match_features BY NAME
SELECT *, $now AS taken_at, $run_id AS run_id FROM fresh_features;
