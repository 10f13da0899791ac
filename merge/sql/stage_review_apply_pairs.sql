-- The candidate pairs a review report handed back names (temp table `review_report_pairs`),
-- from the frame merge/review_apply.py registers as `review_rows_in` (pair_id), whatever their
-- state now, each as the two customers its customers live in now (customer_survivors, smaller
-- id left, as stage_review_export_pairs.sql shows them): apply tells the pairs still to decide
-- from the stale and the already decided.
CREATE OR REPLACE TEMP TABLE review_report_pairs AS
SELECT p.pair_id,
       least(l.surviving_id, r.surviving_id) AS customer_id_l,
       greatest(l.surviving_id, r.surviving_id) AS customer_id_r
FROM candidate_pairs p
JOIN customer_survivors l ON l.customer_id = p.customer_id_l
JOIN customer_survivors r ON r.customer_id = p.customer_id_r
WHERE p.pair_id IN (SELECT pair_id FROM review_rows_in);
