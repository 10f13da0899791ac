-- The auto-merges not undone, each with the customers of the candidate pairs it settled (the
-- cluster it merged, as the customers were scored: merge_undo_candidate_pairs), and whether
-- a person changed any of its customers since (audit_log): such a merge is never revised,
-- the person's view of those customers stands (merge/merging.py, revise_auto_merges). An
-- ingest's later change is no obstacle: undoing restores only what the merge changed
-- (restore_undone_customers.sql).
WITH live AS (
    SELECT merge_id, list_append(merged_customer_ids, main_customer_id) AS customers, merged_at
    FROM merge_events
    WHERE actor = 'auto' AND unmerged_at IS NULL
),
settled AS (
    SELECT merge_id, list(DISTINCT customer_id ORDER BY customer_id) AS clustered
    FROM (SELECT merge_id, customer_id_l AS customer_id FROM merge_undo_candidate_pairs
          UNION ALL SELECT merge_id, customer_id_r FROM merge_undo_candidate_pairs)
    WHERE merge_id IN (SELECT merge_id FROM live)
    GROUP BY merge_id
),
members AS (
    SELECT merge_id, merged_at, unnest(customers) AS customer_id FROM live
),
touched AS (
    SELECT unnest(customer_ids) AS customer_id, acted_at AS changed_at
    FROM audit_log WHERE outcome = 'done' AND user_name <> 'auto'
),
changed AS (
    SELECT DISTINCT m.merge_id
    FROM members m JOIN touched t ON t.customer_id = m.customer_id AND t.changed_at > m.merged_at
)
SELECT l.merge_id, coalesce(s.clustered, []) AS clustered, l.merge_id IN (SELECT merge_id FROM changed) AS changed_since
FROM live l
LEFT JOIN settled s USING (merge_id)
ORDER BY l.merge_id;
