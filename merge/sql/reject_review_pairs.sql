-- A steward's not_duplicate: the pair ends rejected, never proposed again (dedupe skips the
-- pairs select_steward_decided_pairs.sql lists, delete_proposed_pairs.sql keeps them). The
-- report showed the pair as the two customers its customers live in (customer_id_l and
-- customer_id_r of the decision, stage_review_export_pairs.sql): every pair in review leading
-- to the same two customers is rejected with it. Reads the frame merge/review_apply.py
-- registers as `review_decisions_in`, before the report's merges change where customers live.
UPDATE candidate_pairs SET state = 'rejected'
WHERE state = 'review'
  AND pair_id IN (
      SELECT pair_id FROM review_decisions_in WHERE decision = 'not_duplicate'
      UNION ALL
      SELECT p.pair_id
      FROM candidate_pairs p
      JOIN customer_survivors l ON l.customer_id = p.customer_id_l
      JOIN customer_survivors r ON r.customer_id = p.customer_id_r
      JOIN review_decisions_in d
        ON d.customer_id_l = least(l.surviving_id, r.surviving_id)
       AND d.customer_id_r = greatest(l.surviving_id, r.surviving_id)
      WHERE p.state = 'review' AND d.decision = 'not_duplicate'
  );
