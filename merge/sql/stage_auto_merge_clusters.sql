-- The auto-merge clusters to merge now (temp table `survivor_groups`). A cluster (the pairs in
-- state auto_merge sharing cluster_id) is the customers its pairs' customers live in
-- (customer_survivors: a pair may name a customer merged since it was scored, or before). It
-- is merged when that comes to two customers or more, all of them active. A cluster living in
-- one customer has nothing to merge (stage_settled_clusters.sql settles it); one with a
-- customer disabled or deleted waits for the next dedupe (count_waiting_clusters.sql).
CREATE OR REPLACE TEMP TABLE survivor_groups AS
WITH members AS (
    SELECT DISTINCT m.cluster_id AS group_id, s.surviving_id AS customer_id, c.status
    FROM (
        SELECT cluster_id, customer_id_l AS customer_id FROM candidate_pairs WHERE state = 'auto_merge'
        UNION ALL
        SELECT cluster_id, customer_id_r FROM candidate_pairs WHERE state = 'auto_merge'
    ) m
    JOIN customer_survivors s USING (customer_id)
    JOIN customers c ON c.customer_id = s.surviving_id
)
SELECT group_id, customer_id
FROM members
WHERE group_id IN (
    SELECT group_id FROM members GROUP BY group_id HAVING count(*) >= 2 AND bool_and(status = 'active')
);
