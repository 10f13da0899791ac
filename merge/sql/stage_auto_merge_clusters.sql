-- The auto-merge clusters waiting for their merge (temp table `survivor_groups`): every
-- customer of a pair in state auto_merge, grouped by cluster, when all of the cluster's
-- customers are still active (a cluster touched since it was scored waits for the next run).
CREATE OR REPLACE TEMP TABLE survivor_groups AS
WITH members AS (
    SELECT DISTINCT cluster_id AS group_id, customer_id FROM (
        SELECT cluster_id, customer_id_l AS customer_id FROM candidate_pairs WHERE state = 'auto_merge'
        UNION ALL
        SELECT cluster_id, customer_id_r FROM candidate_pairs WHERE state = 'auto_merge'
    )
)
SELECT m.group_id, m.customer_id
FROM members m
WHERE m.group_id NOT IN (
    SELECT m2.group_id FROM members m2 JOIN customers c USING (customer_id) WHERE c.status <> 'active'
);
