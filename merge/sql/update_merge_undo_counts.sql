-- After the pairs of auto-merge clusters already merged were kept with earlier merges
-- (stage_settled_clusters.sql, save_merge_undo_candidate_pairs.sql): merge_events.undo of
-- those merges counts them, as unmerge reports the rows it restores.
UPDATE merge_events SET undo = json_merge_patch(undo, json_object('candidate_pairs', k.pairs))
FROM (
    SELECT merge_id, count(*) AS pairs
    FROM merge_undo_candidate_pairs
    WHERE merge_id IN (SELECT merge_id FROM merged_pairs)
    GROUP BY merge_id
) k
WHERE merge_events.merge_id = k.merge_id;
