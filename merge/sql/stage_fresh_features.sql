-- What matching sees of the customers that are new or changed since their features were
-- last taken (temp table `fresh_features`, the columns of match_features but taken_at and
-- run_id); with $everything, of every active or merged customer.
-- Changed: a source record linked to it since (an ingest brought a new version), or a
-- steward's change (add, edit, contacts, enable in audit_log). A merge is no change: a
-- merged customer is still compared as itself, with the contact details its own sources
-- brought even when the merge moved them to the main customer. Its address is the one of its
-- newest source record (by the record's updated_at), not the one that arrived last.
-- Names become tokens: one source writes both given names in first_name ("maria jose") and
-- both surnames in last_name ("garcia marquez"), others split them, so only the set of
-- given-name tokens and the set of surname tokens are comparable across sources.
-- Particles ($particles: de, la, dos, ...) and one-letter tokens say nothing about a person.
-- A document number that is one character repeated ("0000000") or shorter than 4 is a
-- placeholder, not an identity: it gets no key.
-- A city is compared by one name per city (`city_keys`, a table of each folded city and that
-- name: dedupe/cities.py): "santiago de cali" and "cali" are one city.
CREATE OR REPLACE TEMP TABLE fresh_features AS
WITH source_changes AS (
    SELECT customer_id, max(linked_at) AS changed_at FROM customer_sources GROUP BY customer_id
),
steward_changes AS (
    SELECT customer_id, max(acted_at) AS changed_at
    FROM (SELECT unnest(customer_ids) AS customer_id, acted_at FROM audit_log
          WHERE outcome = 'done' AND action IN ('add', 'edit', 'contacts', 'enable'))
    GROUP BY customer_id
),
changed AS (
    SELECT c.customer_id
    FROM customers c
    LEFT JOIN match_features f USING (customer_id)
    LEFT JOIN source_changes s USING (customer_id)
    LEFT JOIN steward_changes a USING (customer_id)
    WHERE c.status IN ('active', 'merged')
      AND ($everything OR f.customer_id IS NULL OR s.changed_at > f.taken_at OR a.changed_at > f.taken_at)
),
owned_contacts AS (
    SELECT coalesce(s.customer_id, d.customer_id) AS customer_id, d.kind, d.value_norm, d.is_valid,
           coalesce(r.updated_at, d.created_at) AS given_at
    FROM contact_details d
    LEFT JOIN customer_sources s ON s.source_system = d.source_system AND s.source_record_id = d.source_record_id
    LEFT JOIN source_records r ON r.record_key = s.record_key
),
contacts AS (
    SELECT customer_id,
           list(DISTINCT value_norm) FILTER (WHERE kind = 'phone') AS phones,
           list(DISTINCT value_norm) FILTER (WHERE kind = 'email' AND is_valid) AS emails,
           first(value_norm ORDER BY given_at DESC, value_norm DESC) FILTER (WHERE kind = 'address') AS address
    FROM owned_contacts
    WHERE customer_id IN (SELECT customer_id FROM changed)
    GROUP BY customer_id
),
named AS (
    SELECT customer_id, customer_type, document_type, document_check,
           upper(document_number) AS document_number,
           [t FOR t IN string_split(concat_ws(' ', first_name_folded, middle_name_folded), ' ')
              IF length(t) > 1 AND NOT list_contains($particles, t)] AS given_names,
           [t FOR t IN string_split(concat_ws(' ', last_name_folded, second_last_name_folded), ' ')
              IF length(t) > 1 AND NOT list_contains($particles, t)] AS surnames,
           date_of_birth,
           nullif(k.city, '') AS city,
           [t FOR t IN string_split(business_name_core, ' ') IF t <> ''] AS business_tokens,
           nullif(legal_form, '') AS legal_form
    FROM customers
    LEFT JOIN city_keys k USING (city_folded)
    WHERE customer_id IN (SELECT customer_id FROM changed)
)
SELECT n.customer_id, n.customer_type,
       CASE WHEN length(n.document_number) >= 4 AND replace(n.document_number, n.document_number[1], '') <> ''
            THEN n.document_number END AS document_number,
       n.document_type, n.document_check,
       n.given_names, n.surnames,
       list_distinct(n.given_names || n.surnames) AS name_tokens,
       n.date_of_birth,
       strftime(n.date_of_birth, '%Y-%m-%d') AS birth_date,
       n.city,
       CASE WHEN len(n.business_tokens) > 0 THEN n.business_tokens END AS business_tokens,
       nullif(array_to_string(n.business_tokens, ' '), '') AS business_name,
       n.legal_form,
       coalesce(list_sort(c.phones), []) AS phones,
       coalesce(list_sort(c.emails), []) AS emails,
       nullif(c.address, '') AS address
FROM named n
LEFT JOIN contacts c USING (customer_id);
