-- What happens to the relations of the merged customers (temp table `merge_relation_changes`):
-- each end that is a merged customer is re-pointed to its main customer, tags kept. A
-- relation that would then relate a customer to itself, or repeat another relation of the
-- same two customers with the same tags, is dropped instead (`drop_relation`).
CREATE OR REPLACE TEMP TABLE merge_relation_changes AS
WITH touched AS (
    SELECT DISTINCT rel.relation_id
    FROM customer_relations rel
    JOIN merge_members m ON m.customer_id IN (rel.customer_id, rel.related_customer_id)
),
repointed AS (
    SELECT rel.relation_id, t.relation_id IS NOT NULL AS changed,
           coalesce(a.merge_id, b.merge_id) AS merge_id,
           coalesce(a.main_customer_id, rel.customer_id) AS customer_id,
           coalesce(b.main_customer_id, rel.related_customer_id) AS related_customer_id,
           coalesce(rel.tags, '') AS tags
    FROM customer_relations rel
    LEFT JOIN touched t USING (relation_id)
    LEFT JOIN merge_members a ON a.customer_id = rel.customer_id
    LEFT JOIN merge_members b ON b.customer_id = rel.related_customer_id
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY customer_id, related_customer_id, tags
                                 ORDER BY changed, relation_id) AS nth
    FROM repointed
    WHERE customer_id IN (SELECT customer_id FROM repointed WHERE changed)
       OR related_customer_id IN (SELECT related_customer_id FROM repointed WHERE changed)
)
SELECT relation_id, merge_id, customer_id, related_customer_id,
       customer_id = related_customer_id OR nth > 1 AS drop_relation
FROM ranked
WHERE changed;
