-- The candidate pairs a merge settles (temp table `merged_pairs`): the customers both
-- customers of the pair live in (customer_survivors: itself, or where its merges led) are in
-- the same merge (its main customer or a merged one) and the pair waits for a merge or a
-- decision. A pair may name a customer merged by an earlier merge: it is settled by the merge
-- that takes in the customer it lives in. The auto-merge step makes them auto_merged; a
-- steward's or a manual merge, accepted.
CREATE OR REPLACE TEMP TABLE merged_pairs AS
WITH merge_customers AS (
    SELECT merge_id, main_customer_id AS customer_id FROM merge_requests
    UNION ALL
    SELECT merge_id, customer_id FROM merge_members
),
living_in AS (      -- every customer living in a customer of a merge, with the merge
    SELECT s.customer_id, m.merge_id
    FROM customer_survivors s JOIN merge_customers m ON m.customer_id = s.surviving_id
)
SELECT c.pair_id, l.merge_id,
       CASE WHEN q.actor = 'auto' THEN 'auto_merged' ELSE 'accepted' END AS new_state
FROM candidate_pairs c
JOIN living_in l ON l.customer_id = c.customer_id_l
JOIN living_in r ON r.customer_id = c.customer_id_r AND r.merge_id = l.merge_id
JOIN merge_requests q ON q.merge_id = l.merge_id
WHERE c.state IN ('auto_merge', 'review');
