-- Before a merge: the candidate pairs it settles (merged_pairs), whose state it changes (to
-- auto_merged or accepted), as they are. Also for the auto-merge clusters already merged
-- (stage_settled_clusters.sql): kept with the merge that made them one customer, if any.
INSERT INTO merge_undo_candidate_pairs
SELECT p.merge_id, c.*
FROM candidate_pairs c
JOIN merged_pairs p USING (pair_id)
WHERE p.merge_id IS NOT NULL;
