-- Pairs a steward has decided, latest decision per pair (smaller id first): 'not_duplicate'
-- pairs are never proposed again; 'merge' and 'not_duplicate' pairs train the supervised
-- model. Pairs whose candidate_pairs state is accepted or rejected count as decided too.
WITH decisions AS (
    SELECT least(customer_id_l, customer_id_r) AS customer_id_l,
           greatest(customer_id_l, customer_id_r) AS customer_id_r,
           arg_max(decision, decided_at) AS decision
    FROM review_decisions
    WHERE decision IN ('merge', 'not_duplicate')
    GROUP BY ALL
),
states AS (
    SELECT customer_id_l, customer_id_r,
           CASE state WHEN 'accepted' THEN 'merge' ELSE 'not_duplicate' END AS decision
    FROM candidate_pairs
    WHERE state IN ('accepted', 'rejected')
)
SELECT customer_id_l, customer_id_r, decision FROM decisions
UNION ALL
SELECT customer_id_l, customer_id_r, decision FROM states
WHERE (customer_id_l, customer_id_r) NOT IN (SELECT (customer_id_l, customer_id_r) FROM decisions)
ORDER BY customer_id_l, customer_id_r;
