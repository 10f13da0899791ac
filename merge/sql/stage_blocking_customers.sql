-- What blocking keys are made of, one row per active or merged customer (temp table
-- `blocking_customers`; the keys themselves are the expressions of BLOCKING_RULES in
-- dedupe/blocking.py): the features matching kept of it (match_features), or those just
-- taken when it is new or changed (fresh_features, merge/sql/stage_fresh_features.sql).
-- A merged customer stays: it is compared as itself, so that merging as records arrive
-- gives the clusters merging once at the end would.
CREATE OR REPLACE TEMP TABLE blocking_customers AS
SELECT f.*
FROM (
    SELECT * EXCLUDE (taken_at, run_id) FROM match_features
    WHERE customer_id NOT IN (SELECT customer_id FROM fresh_features)
    UNION ALL BY NAME
    SELECT * FROM fresh_features
) f
JOIN customers c USING (customer_id)
WHERE c.status IN ('active', 'merged');
