-- The candidate pairs a merge settles (merged_pairs): auto_merged by the auto-merge step, else accepted.
UPDATE candidate_pairs SET state = p.new_state
FROM merged_pairs p
WHERE candidate_pairs.pair_id = p.pair_id;
