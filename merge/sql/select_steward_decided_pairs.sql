-- Pairs a steward has decided, latest decision per pair (smaller id first): 'not_duplicate'
-- pairs are never proposed again; 'merge' and 'not_duplicate' pairs train the supervised
-- model. Pairs whose candidate_pairs state is accepted or rejected count as decided too.
-- Only pairs of customers matching compares (active or merged; count_matchable_customers.sql):
-- what decides a refit and what the steward layer learns from must be the same pairs
-- (stage_comparison_customers.sql loads all of theirs). customer_type: the pair's (a person
-- is never paired with a company).
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
SELECT d.customer_id_l, d.customer_id_r, d.decision, l.customer_type FROM (
    SELECT customer_id_l, customer_id_r, decision FROM decisions
    UNION ALL
    SELECT customer_id_l, customer_id_r, decision FROM states
    WHERE (customer_id_l, customer_id_r) NOT IN (SELECT (customer_id_l, customer_id_r) FROM decisions)
) d
JOIN customers l ON l.customer_id = d.customer_id_l AND l.status IN ('active', 'merged')
JOIN customers r ON r.customer_id = d.customer_id_r AND r.status IN ('active', 'merged')
ORDER BY d.customer_id_l, d.customer_id_r;
