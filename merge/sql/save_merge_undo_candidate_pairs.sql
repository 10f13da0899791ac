-- Before a merge: the candidate pairs among the merge's customers whose state it changes
-- (to auto_merged or accepted), as they are.
INSERT INTO merge_undo_candidate_pairs
SELECT p.merge_id, c.*
FROM candidate_pairs c
JOIN merged_pairs p USING (pair_id);
