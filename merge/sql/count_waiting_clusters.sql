-- Auto-merge clusters the auto-merge step left waiting: a customer their pairs' customers live
-- in (customer_survivors) is disabled or deleted since they were scored. The next dedupe
-- scores them again.
WITH members AS (
    SELECT cluster_id, customer_id_l AS customer_id FROM candidate_pairs WHERE state = 'auto_merge'
    UNION ALL
    SELECT cluster_id, customer_id_r FROM candidate_pairs WHERE state = 'auto_merge'
)
SELECT count(DISTINCT m.cluster_id)
FROM members m
JOIN customer_survivors s USING (customer_id)
JOIN customers c ON c.customer_id = s.surviving_id
WHERE c.status <> 'active';
