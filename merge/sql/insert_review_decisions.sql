-- The decisions a review apply made, one row per pair decided (merge or not_duplicate), from
-- the frame merge/review_apply.py registers as `review_decisions_in`.
INSERT INTO review_decisions
SELECT decision_id, pair_id, customer_id_l, customer_id_r, decision, main_customer_id, steward, report_file, decided_at
FROM review_decisions_in;
