-- The candidate pairs a review report shows (temp table `review_report_pairs`): in the review
-- band (state review) with both customers still there to merge, i.e. neither merged nor deleted.
CREATE OR REPLACE TEMP TABLE review_report_pairs AS
SELECT p.pair_id
FROM candidate_pairs p
JOIN customers l ON l.customer_id = p.customer_id_l
JOIN customers r ON r.customer_id = p.customer_id_r
WHERE p.state = 'review'
  AND l.status NOT IN ('merged', 'deleted')
  AND r.status NOT IN ('merged', 'deleted');
