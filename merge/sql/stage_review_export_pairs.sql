-- The candidate pairs a review report shows (temp table `review_report_pairs`), each as the
-- two customers its customers live in (customer_survivors: a pair may name a customer merged
-- since it was scored, or before), smaller id left: the pairs in the review band (state
-- review) whose customers live in two distinct customers, both active (neither disabled nor
-- deleted). Pairs leading to the same two customers are shown once, as the strongest of them
-- (ties: the smaller pair id).
CREATE OR REPLACE TEMP TABLE review_report_pairs AS
WITH resolved AS (
    SELECT p.pair_id, p.match_probability,
           least(l.surviving_id, r.surviving_id) AS customer_id_l,
           greatest(l.surviving_id, r.surviving_id) AS customer_id_r
    FROM candidate_pairs p
    JOIN customer_survivors l ON l.customer_id = p.customer_id_l
    JOIN customer_survivors r ON r.customer_id = p.customer_id_r
    WHERE p.state = 'review'
)
SELECT x.pair_id, x.customer_id_l, x.customer_id_r
FROM resolved x
JOIN customers l ON l.customer_id = x.customer_id_l
JOIN customers r ON r.customer_id = x.customer_id_r
WHERE x.customer_id_l <> x.customer_id_r AND l.status = 'active' AND r.status = 'active'
QUALIFY row_number() OVER (PARTITION BY x.customer_id_l, x.customer_id_r
                           ORDER BY x.match_probability DESC, x.pair_id) = 1;
