-- Before a dedupe run replaces the previous proposals: their pair ids (temp table
-- `previous_pairs`), so that a pair proposed again keeps its id and a review report exported
-- before the run still names it.
CREATE OR REPLACE TEMP TABLE previous_pairs AS
SELECT customer_id_l, customer_id_r, pair_id FROM candidate_pairs
WHERE state IN ('auto_merge', 'review', 'non_match');
