-- A steward's not_duplicate: the pair ends rejected, never proposed again (dedupe skips the
-- pairs select_steward_decided_pairs.sql lists, delete_proposed_pairs.sql keeps them). Reads
-- the frame merge/review_apply.py registers as `review_decisions_in`.
UPDATE candidate_pairs SET state = 'rejected'
WHERE state = 'review'
  AND pair_id IN (SELECT pair_id FROM review_decisions_in WHERE decision = 'not_duplicate');
