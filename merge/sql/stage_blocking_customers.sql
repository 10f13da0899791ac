-- What blocking keys are made of, one row per ACTIVE customer (temp table `blocking_customers`;
-- the keys themselves are the expressions of BLOCKING_RULES in dedupe/blocking.py).
-- Names become tokens: one source writes both given names in first_name ("maria jose") and
-- both surnames in last_name ("garcia marquez"), others split them, so only the set of
-- given-name tokens and the set of surname tokens are comparable across sources.
-- Particles ($particles: de, la, dos, ...) and one-letter tokens say nothing about a person.
-- A document number that is one character repeated ("0000000") or shorter than 4 is a
-- placeholder, not an identity: it gets no key.
CREATE OR REPLACE TEMP TABLE blocking_customers AS
WITH phones AS (
    SELECT customer_id, list(DISTINCT value_norm) AS phones
    FROM contact_details WHERE kind = 'phone'
    GROUP BY customer_id
),
emails AS (
    SELECT customer_id, list(DISTINCT value_norm) AS emails
    FROM contact_details WHERE kind = 'email' AND is_valid
    GROUP BY customer_id
),
active AS (
    SELECT customer_id, customer_type,
           upper(document_number) AS document_number,
           [t FOR t IN string_split(concat_ws(' ', first_name_folded, middle_name_folded), ' ')
              IF length(t) > 1 AND NOT list_contains($particles, t)] AS given_names,
           [t FOR t IN string_split(concat_ws(' ', last_name_folded, second_last_name_folded), ' ')
              IF length(t) > 1 AND NOT list_contains($particles, t)] AS surnames,
           date_of_birth,
           nullif(city_folded, '') AS city,
           [t FOR t IN string_split(business_name_core, ' ') IF t <> ''] AS business_tokens
    FROM customers
    WHERE status = 'active'
)
SELECT a.customer_id, a.customer_type,
       CASE WHEN length(a.document_number) >= 4 AND replace(a.document_number, a.document_number[1], '') <> ''
            THEN a.document_number END AS document_number,
       a.given_names, a.surnames,
       list_distinct(a.given_names || a.surnames) AS name_tokens,
       a.date_of_birth, a.city,
       strftime(a.date_of_birth, '%Y-%m-%d') AS birth_date,
       CASE WHEN len(a.business_tokens) > 0 THEN a.business_tokens END AS business_tokens,
       nullif(array_to_string(a.business_tokens, ' '), '') AS business_name,
       coalesce(p.phones, []) AS phones,
       coalesce(e.emails, []) AS emails
FROM active a
LEFT JOIN phones p USING (customer_id)
LEFT JOIN emails e USING (customer_id);
