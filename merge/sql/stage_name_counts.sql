-- How many customers of a type share each first given name and first surname (temp table
-- `name_counts`): counted over `blocking_customers` when the model is fitted ($frozen false),
-- else those kept with the model (match_name_counts), so that a pair scores the same
-- whenever it is compared.
CREATE OR REPLACE TEMP TABLE name_counts AS
SELECT customer_type, given, surname, name_count FROM match_name_counts WHERE $frozen
UNION ALL
SELECT customer_type, given_names[1] AS given, surnames[1] AS surname, count(*) AS name_count
FROM blocking_customers
WHERE NOT $frozen AND len(given_names) > 0 AND len(surnames) > 0
GROUP BY ALL;
