-- What the comparisons (dedupe/comparisons.py) read of each customer of a candidate pair
-- (temp table `comparison_customers`), built on `blocking_customers`: names as tokens without
-- particles, the document number without placeholders, the latest address. Empty texts and
-- lists are NULL: "missing" to the comparisons.
-- name_count: how many active customers of the type share the first given name and first
-- surname: "jorge garcia" agreeing says far less than "yago pimenta" agreeing.
CREATE OR REPLACE TEMP TABLE comparison_customers AS
WITH in_pairs AS (
    SELECT customer_id_l AS customer_id FROM blocking_candidates
    UNION
    SELECT customer_id_r FROM blocking_candidates
),
name_counts AS (
    SELECT customer_type, given_names[1] AS given, surnames[1] AS surname, count(*) AS name_count
    FROM blocking_customers
    WHERE len(given_names) > 0 AND len(surnames) > 0
    GROUP BY ALL
),
addresses AS (
    SELECT customer_id, arg_max(value_norm, contact_id) AS address
    FROM contact_details
    WHERE kind = 'address' AND customer_id IN (SELECT customer_id FROM in_pairs)
    GROUP BY customer_id
)
SELECT b.customer_id, b.customer_type,
       b.document_number, c.document_type, c.document_check,
       nullif(array_to_string(b.given_names, ' '), '') AS given_names,
       nullif(array_to_string(b.given_names || b.surnames, ' '), '') AS full_name,
       b.birth_date,
       b.business_name,
       CASE WHEN len(b.emails) > 0 THEN b.emails END AS emails,
       CASE WHEN len(b.phones) > 0 THEN b.phones END AS phones,
       nullif(a.address, '') AS address,
       nullif(c.city_folded, '') AS city,
       coalesce(n.name_count, 1) AS name_count
FROM blocking_customers b
JOIN customers c USING (customer_id)
LEFT JOIN addresses a USING (customer_id)
LEFT JOIN name_counts n ON n.customer_type = b.customer_type AND n.given = b.given_names[1] AND n.surname = b.surnames[1]
WHERE b.customer_id IN (SELECT customer_id FROM in_pairs)
ORDER BY b.customer_id;
