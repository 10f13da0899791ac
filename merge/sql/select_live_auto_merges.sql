-- The auto-merges not undone, each with its customers (main and merged) and whether a person
-- changed any of them since (audit_log): such a merge is never revised, the person's view of
-- those customers stands (merge/merging.py, revise_auto_merges). An ingest's later change
-- is no obstacle: undoing restores only what the merge changed (restore_undone_customers.sql).
WITH live AS (
    SELECT merge_id, list_append(merged_customer_ids, main_customer_id) AS customers, merged_at
    FROM merge_events
    WHERE actor = 'auto' AND unmerged_at IS NULL
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
SELECT l.merge_id, l.customers, l.merge_id IN (SELECT merge_id FROM changed) AS changed_since
FROM live l
ORDER BY l.merge_id;
