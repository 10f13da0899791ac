-- The phones and e-mails too common to say who a customer is (temp table `common_contacts`):
-- given by more than $most customers of `blocking_customers` when the model is fitted
-- ($frozen false), else those kept with the model (match_common_contacts), so that a pair
-- compares the same whenever it is compared (migration 0008).
CREATE OR REPLACE TEMP TABLE common_contacts AS
SELECT contact, customers FROM match_common_contacts WHERE $frozen
UNION ALL
SELECT contact, count(DISTINCT customer_id) AS customers
FROM (SELECT customer_id, unnest(phones || emails) AS contact FROM blocking_customers WHERE NOT $frozen)
GROUP BY contact
HAVING count(DISTINCT customer_id) > $most;
