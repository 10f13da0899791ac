-- Stage one file's customer rows (the registered frame `staged_customers`): drop the versions
-- source_records already holds, and find each row's existing customer, by identity
-- (customer_type|document_type|document_number) or by an earlier version of the same
-- source record: the customer holding that identity or record, even when it was merged since
-- (the record is its record; record_resolution and the contact details follow the merge to
-- the customer it lives in). So what a customer is made of does not depend on whether a
-- merge came before the record or after it, and matching compares it the same either way.
CREATE OR REPLACE TEMP TABLE incoming AS
WITH fresh AS (
    SELECT s.* FROM staged_customers s
    WHERE NOT EXISTS (
        SELECT 1 FROM source_records r
        WHERE r.source_system = s.source_system AND r.source_record_id = s.source_record_id
          AND r.content_hash = s.content_hash)
),
existing_identity AS (
    SELECT c.identity_key, min(c.customer_id) AS customer_id
    FROM customers c
    WHERE c.identity_key IN (SELECT identity_key FROM fresh WHERE identity_key IS NOT NULL)
    GROUP BY c.identity_key
),
existing_link AS (
    SELECT cs.source_system, cs.source_record_id, cs.customer_id
    FROM customer_sources cs
)
SELECT f.*,
       ei.customer_id AS identity_customer_id,
       el.customer_id AS linked_customer_id,
       f.identity_key IS NOT NULL
           AND row_number() OVER (PARTITION BY f.identity_key ORDER BY f.line) = 1 AS first_of_identity
FROM fresh f
LEFT JOIN existing_identity ei ON ei.identity_key = f.identity_key
LEFT JOIN existing_link el ON el.source_system = f.source_system AND el.source_record_id = f.source_record_id;
