-- Pairs a steward has decided, latest decision per pair (smaller id first): 'not_duplicate'
-- pairs are never proposed again; 'merge' and 'not_duplicate' pairs train the supervised
-- model. Pairs whose candidate_pairs state is accepted or rejected count as decided too.
-- Only pairs of customers matching compares (active or merged; count_matchable_customers.sql):
-- what decides a refit and what the steward layer learns from must be the same pairs
-- (stage_comparison_customers.sql loads all of theirs).
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
SELECT * FROM (
    SELECT customer_id_l, customer_id_r, decision FROM decisions
    UNION ALL
    SELECT customer_id_l, customer_id_r, decision FROM states
    WHERE (customer_id_l, customer_id_r) NOT IN (SELECT (customer_id_l, customer_id_r) FROM decisions)
) d
WHERE d.customer_id_l IN (SELECT customer_id FROM customers WHERE status IN ('active', 'merged'))
  AND d.customer_id_r IN (SELECT customer_id FROM customers WHERE status IN ('active', 'merged'))
ORDER BY customer_id_l, customer_id_r;
