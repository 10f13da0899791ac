-- The keys one blocking rule gives each customer of `blocking_customers`: the keys placeholder is the rule's
-- key expression from BLOCKING_RULES (dedupe/blocking.py), a LIST of text per customer.
-- A customer's repeated keys count once; NULL and empty keys are no keys.
INSERT INTO blocking_keys
SELECT $rule_no AS rule_no, customer_type, key, customer_id
FROM (
    SELECT customer_type, customer_id, unnest(list_distinct({keys})) AS key
    FROM blocking_customers
)
WHERE key IS NOT NULL AND key <> '';
