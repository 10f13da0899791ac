-- The auto-merge clusters already merged (temp table `merged_pairs`, as stage_merged_pairs.sql
-- makes it for a merge): every customer of their pairs lives in one and the same active
-- customer (customer_survivors), merged together by earlier merges. Nothing is left to merge;
-- their pairs become auto_merged. Each pair is kept, in the undo rows, with the newest merge
-- into that customer still in force: undoing it, or any merge that made them one customer
-- (which must undo it first), puts the pairs back in auto_merge. merge_id is NULL only when no
-- merge made them one (a merged_into set by hand): nothing to keep.
CREATE OR REPLACE TEMP TABLE merged_pairs AS
WITH pairs AS (
    SELECT p.pair_id, p.cluster_id, l.surviving_id AS survivor_l, r.surviving_id AS survivor_r
    FROM candidate_pairs p
    JOIN customer_survivors l ON l.customer_id = p.customer_id_l
    JOIN customer_survivors r ON r.customer_id = p.customer_id_r
    WHERE p.state = 'auto_merge'
),
settled AS (
    SELECT cluster_id, min(survivor_l) AS customer_id
    FROM pairs
    GROUP BY cluster_id
    HAVING min(least(survivor_l, survivor_r)) = max(greatest(survivor_l, survivor_r))
),
newest AS (
    SELECT main_customer_id AS customer_id, max(merge_id) AS merge_id
    FROM merge_events
    WHERE unmerged_at IS NULL AND main_customer_id IN (SELECT customer_id FROM settled)
    GROUP BY main_customer_id
)
SELECT p.pair_id, n.merge_id, 'auto_merged' AS new_state
FROM pairs p
JOIN settled s USING (cluster_id)
JOIN customers c ON c.customer_id = s.customer_id AND c.status = 'active'
LEFT JOIN newest n ON n.customer_id = s.customer_id;
