-- Before a dedupe run replaces the previous proposals: their pair ids, runs and times (temp
-- table `previous_pairs`), so that a pair proposed again keeps its id (a review report
-- exported before the run still names it), and a pair the run kept without comparing it
-- again keeps the run that scored it.
CREATE OR REPLACE TEMP TABLE previous_pairs AS
SELECT customer_id_l, customer_id_r, pair_id, run_id, scored_at FROM candidate_pairs
WHERE state IN ('auto_merge', 'review', 'non_match');
