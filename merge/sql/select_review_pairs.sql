-- The pairs of `review_report_pairs` as the review report shows them: the pair (probability,
-- state, the level label every field reached, the dedupe run that scored it, the blocking
-- rules that found it) with the customers review_report_pairs names (the customers the pair's
-- customers live in) in place of its own, and their values side by side, with their status
-- and updated_at (the report's fingerprint covers all of it: merge/review_export.py).
-- A value the customer lacks is NULL; several contact details of a kind are joined by "; ".
WITH wanted AS (
    SELECT p.* REPLACE (w.customer_id_l AS customer_id_l, w.customer_id_r AS customer_id_r)
    FROM candidate_pairs p JOIN review_report_pairs w USING (pair_id)
),
ids AS (
    SELECT customer_id_l AS customer_id FROM wanted
    UNION
    SELECT customer_id_r FROM wanted
),
contacts AS (
    SELECT customer_id,
           string_agg(DISTINCT value_norm, '; ' ORDER BY value_norm) FILTER (WHERE kind = 'email') AS emails,
           string_agg(DISTINCT value_norm, '; ' ORDER BY value_norm) FILTER (WHERE kind = 'phone') AS phones,
           string_agg(DISTINCT value, '; ' ORDER BY value) FILTER (WHERE kind = 'address') AS address
    FROM contact_details
    WHERE customer_id IN (SELECT customer_id FROM ids)
    GROUP BY customer_id
),
shown AS (
    SELECT c.customer_id, c.customer_type, c.status, c.updated_at,
           nullif(concat_ws(' ', nullif(c.first_name, ''), nullif(c.middle_name, ''), nullif(c.last_name, ''),
                            nullif(c.second_last_name, '')), '') AS name,
           nullif(concat_ws(' ', nullif(c.first_name, ''), nullif(c.middle_name, '')), '') AS given_names,
           nullif(concat_ws(' ', nullif(c.document_type, ''), nullif(c.document_number, ''),
                            CASE WHEN c.document_check = 'invalid' THEN '(invalid)' END), '') AS document,
           strftime(c.date_of_birth, '%Y-%m-%d') AS birth_date,
           nullif(c.business_name, '') AS business_name,
           x.emails, x.phones, x.address,
           nullif(c.city, '') AS city
    FROM customers c
    LEFT JOIN contacts x USING (customer_id)
    WHERE c.customer_id IN (SELECT customer_id FROM ids)
)
SELECT w.pair_id, w.customer_id_l, w.customer_id_r, w.match_probability, w.state, w.run_id,
       w.levels, w.blocking_rules, l.customer_type,
       l.status AS status_l, l.updated_at AS updated_at_l,
       l.name AS name_l, l.given_names AS given_names_l, l.document AS document_l,
       l.birth_date AS birth_date_l, l.business_name AS business_name_l, l.emails AS emails_l,
       l.phones AS phones_l, l.address AS address_l, l.city AS city_l,
       r.status AS status_r, r.updated_at AS updated_at_r,
       r.name AS name_r, r.given_names AS given_names_r, r.document AS document_r,
       r.birth_date AS birth_date_r, r.business_name AS business_name_r, r.emails AS emails_r,
       r.phones AS phones_r, r.address AS address_r, r.city AS city_r
FROM wanted w
JOIN shown l ON l.customer_id = w.customer_id_l
JOIN shown r ON r.customer_id = w.customer_id_r
ORDER BY w.pair_id;
