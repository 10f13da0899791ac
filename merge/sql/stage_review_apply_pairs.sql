-- The candidate pairs a review report handed back names (temp table `review_report_pairs`),
-- from the frame merge/review_apply.py registers as `review_rows_in` (pair_id), whatever their
-- state now: apply tells the pairs still to decide from the stale and the already decided.
CREATE OR REPLACE TEMP TABLE review_report_pairs AS
SELECT DISTINCT pair_id FROM review_rows_in;
