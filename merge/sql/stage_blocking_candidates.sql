-- Candidate pairs (temp table `blocking_candidates`): two customers of one block, smaller id
-- on the left, with every rule whose blocks paired them (names from $rule_names, in rule
-- order). When $incremental, only blocks holding a new or changed customer (`fresh_features`)
-- are joined and only pairs with such a customer on one side are kept.
-- Each rule is one bit of a mask while pairs are grouped: cheaper than collecting lists;
-- rule_mask (bit i = rule i) is kept for code that needs it by the million.
CREATE OR REPLACE TEMP TABLE blocking_candidates AS
WITH usable AS (
    SELECT b.block_id, b.rule_no, k.customer_id
    FROM blocking_blocks b
    JOIN blocking_keys k USING (rule_no, customer_type, key)
    WHERE NOT b.oversized
),
wanted AS (
    SELECT * FROM usable
    WHERE NOT $incremental
       OR block_id IN (SELECT u.block_id FROM usable u SEMI JOIN fresh_features n USING (customer_id))
),
masked AS (
    SELECT l.customer_id AS customer_id_l, r.customer_id AS customer_id_r,
           bit_or(1::UBIGINT << l.rule_no::UBIGINT) AS rule_mask
    FROM wanted l
    JOIN wanted r ON l.block_id = r.block_id AND l.customer_id < r.customer_id
    WHERE NOT $incremental
       OR l.customer_id IN (SELECT customer_id FROM fresh_features)
       OR r.customer_id IN (SELECT customer_id FROM fresh_features)
    GROUP BY l.customer_id, r.customer_id
)
SELECT customer_id_l, customer_id_r, rule_mask::BIGINT AS rule_mask,
       [$rule_names[i + 1] FOR i IN range(len($rule_names)) IF (rule_mask >> i::UBIGINT) & 1 = 1] AS blocking_rules
FROM masked;
