-- The share of customers of a type whose name holds each word (temp table `name_words`):
-- counted over `blocking_customers` when the model is fitted ($frozen false), else those
-- kept with the model (match_name_words), so that a pair scores the same whenever it is
-- compared. A name's words are its given names and surnames, each counted once.
CREATE OR REPLACE TEMP TABLE name_words AS
WITH of_type AS (
    SELECT customer_type, count(*) AS customers FROM blocking_customers WHERE NOT $frozen GROUP BY ALL
),
words AS (
    SELECT customer_type, unnest(list_distinct(given_names || surnames)) AS word
    FROM blocking_customers
    WHERE NOT $frozen
)
SELECT customer_type, word, share FROM match_name_words WHERE $frozen
UNION ALL
SELECT customer_type, word, count(*) / any_value(t.customers) AS share
FROM words JOIN of_type t USING (customer_type)
GROUP BY customer_type, word;
