-- The steward decisions already recorded for the pairs of `review_report_pairs`: a report
-- applied twice records nothing the second time. The customers are part of the key because
-- a later dedupe run may give a pair id to other customers.
SELECT DISTINCT d.pair_id, d.customer_id_l, d.customer_id_r, d.decision
FROM review_decisions d
SEMI JOIN review_report_pairs USING (pair_id)
WHERE d.decision IN ('merge', 'not_duplicate');
