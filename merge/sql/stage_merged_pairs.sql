-- The candidate pairs a merge settles (temp table `merged_pairs`): both customers are in the
-- same merge (its main customer or a merged one) and the pair waits for a merge or a decision.
-- The auto-merge step makes them auto_merged; a steward's or a manual merge, accepted.
CREATE OR REPLACE TEMP TABLE merged_pairs AS
WITH merge_customers AS (
    SELECT merge_id, main_customer_id AS customer_id FROM merge_requests
    UNION ALL
    SELECT merge_id, customer_id FROM merge_members
)
SELECT c.pair_id, l.merge_id,
       CASE WHEN q.actor = 'auto' THEN 'auto_merged' ELSE 'accepted' END AS new_state
FROM candidate_pairs c
JOIN merge_customers l ON l.customer_id = c.customer_id_l
JOIN merge_customers r ON r.customer_id = c.customer_id_r AND r.merge_id = l.merge_id
JOIN merge_requests q ON q.merge_id = l.merge_id
WHERE c.state IN ('auto_merge', 'review');
