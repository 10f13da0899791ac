-- What the comparisons (dedupe/comparisons.py) read of each customer of a candidate pair or
-- of a kept pair at or above $auto_merge (temp table `comparison_customers`), built on
-- `blocking_customers`: names as tokens without particles, the document number without
-- placeholders, the latest address. Empty texts and lists are NULL: "missing" to the
-- comparisons.
-- name_count: how many customers of the type share the first given name and first surname
-- (`name_counts`): "jorge garcia" agreeing says far less than "yago pimenta" agreeing.
-- name_share: the natural log of the chance that another customer of the type holds all the
-- words of this name, the product of the words' shares (`name_words`; a word not counted
-- there, new since the model was fitted, as rare as the rarest).
-- first_record: the customer's first source record (system and id, in text order), what
-- clustering orders pairs of equal probability by: the same whatever order records arrived
-- in, unlike customer ids.
-- A birth date too common to be anyone's own (`common_birth_dates`, a form's default) is
-- NULL. Phones and e-mails too common to be a customer's own (`common_contacts`) are left out; the
-- rest are one text each, separated by spaces (neither holds one), which the comparisons
-- split once per distinct text. mobiles: the own phones that are mobile lines
-- (`contact_details.line_type`), one person's, where a landline is a household's.
CREATE OR REPLACE TEMP TABLE comparison_customers AS
WITH in_pairs AS (
    SELECT customer_id_l AS customer_id FROM blocking_candidates
    UNION
    SELECT customer_id_r FROM blocking_candidates
    UNION   -- clustering judges every pair between the customers strong kept pairs connect
    SELECT customer_id_l FROM candidate_pairs WHERE match_probability >= $auto_merge
    UNION
    SELECT customer_id_r FROM candidate_pairs WHERE match_probability >= $auto_merge
    UNION   -- the steward layer learns from every decided pair of customers matching compares
    SELECT customer_id_l FROM review_decisions
    UNION
    SELECT customer_id_r FROM review_decisions
    UNION
    SELECT customer_id_l FROM candidate_pairs WHERE state IN ('accepted', 'rejected')
    UNION
    SELECT customer_id_r FROM candidate_pairs WHERE state IN ('accepted', 'rejected')
),
common AS (SELECT coalesce(list(contact), []::VARCHAR[]) AS contacts FROM common_contacts),
own AS (
    SELECT b.*,
           list_filter(b.emails, lambda x: NOT list_contains(common.contacts, x)) AS own_emails,
           list_filter(b.phones, lambda x: NOT list_contains(common.contacts, x)) AS own_phones
    FROM blocking_customers b CROSS JOIN common
    WHERE b.customer_id IN (SELECT customer_id FROM in_pairs)
),
mobile_numbers AS (SELECT DISTINCT value_norm AS phone FROM contact_details WHERE kind = 'phone' AND line_type = 'mobile'),
own_mobiles AS (
    SELECT p.customer_id, list_sort(list(p.phone)) AS mobiles
    FROM (SELECT customer_id, unnest(own_phones) AS phone FROM own) p
    SEMI JOIN mobile_numbers m ON m.phone = p.phone
    GROUP BY ALL
),
rarest AS (SELECT customer_type, min(share) AS share FROM name_words GROUP BY ALL),
first_records AS (
    SELECT customer_id, min(source_system || chr(31) || source_record_id) AS first_record
    FROM customer_sources WHERE customer_id IN (SELECT customer_id FROM in_pairs) GROUP BY ALL
),
name_shares AS (
    SELECT w.customer_id, sum(ln(coalesce(n.share, r.share))) AS name_share
    FROM (SELECT customer_id, customer_type, unnest(list_distinct(given_names || surnames)) AS word FROM own) w
    LEFT JOIN name_words n USING (customer_type, word)
    LEFT JOIN rarest r USING (customer_type)
    GROUP BY ALL
)
SELECT b.customer_id, b.customer_type,
       b.document_number, b.document_type, b.document_check,
       nullif(array_to_string(b.given_names, ' '), '') AS given_names,
       nullif(array_to_string(b.given_names || b.surnames, ' '), '') AS full_name,
       CASE WHEN d.birth_date IS NULL THEN b.birth_date END AS birth_date,
       b.business_name,
       b.legal_form,
       CASE WHEN len(b.own_emails) > 0 THEN array_to_string(b.own_emails, ' ') END AS emails,
       CASE WHEN len(b.own_phones) > 0 THEN array_to_string(b.own_phones, ' ') END AS phones,
       CASE WHEN len(o.mobiles) > 0 THEN array_to_string(o.mobiles, ' ') END AS mobiles,
       b.address,
       b.city,
       coalesce(n.name_count, 1) AS name_count,
       s.name_share,
       r.first_record
FROM own b
LEFT JOIN name_shares s USING (customer_id)
LEFT JOIN first_records r USING (customer_id)
LEFT JOIN own_mobiles o USING (customer_id)
LEFT JOIN name_counts n ON n.customer_type = b.customer_type AND n.given = b.given_names[1] AND n.surname = b.surnames[1]
LEFT JOIN common_birth_dates d ON d.customer_type = b.customer_type AND d.birth_date = b.birth_date
ORDER BY b.customer_id;
