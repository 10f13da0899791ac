-- Decide, for every incoming row, the customer it belongs to and the identity rule's outcome:
--   new              it creates a customer (first row of an unknown identity, or a row without a usable identity)
--   matched_skip     its identity exists; the customer keeps its data ($policy = skip)
--   matched_replace  its identity exists; the customer is updated with the row's data ($policy = replace)
--   refused          its identity exists and $policy = fail: the row is quarantined, not loaded
--   updated / linked a new version of a source record already linked, without a usable identity
-- New customers get ids from $first_customer_id on, in file order, so the same input gives the same ids.
CREATE OR REPLACE TEMP TABLE planned AS
WITH creators AS (
    SELECT line, $first_customer_id - 1 + row_number() OVER (ORDER BY line) AS new_customer_id
    FROM incoming
    WHERE (identity_key IS NOT NULL AND identity_customer_id IS NULL AND first_of_identity)
       OR (identity_key IS NULL AND linked_customer_id IS NULL)
),
targeted AS (
    SELECT i.*, c.new_customer_id,
           coalesce(i.identity_customer_id,
                    CASE WHEN i.identity_key IS NOT NULL THEN
                        first_value(c.new_customer_id IGNORE NULLS) OVER (PARTITION BY i.identity_key ORDER BY i.line)
                    END,
                    i.linked_customer_id,
                    c.new_customer_id) AS customer_id
    FROM incoming i LEFT JOIN creators c USING (line)
)
SELECT *,
       CASE WHEN new_customer_id IS NOT NULL THEN 'new'
            WHEN identity_key IS NULL THEN CASE WHEN $policy = 'replace' THEN 'updated' ELSE 'linked' END
            WHEN $policy = 'skip' THEN 'matched_skip'
            WHEN $policy = 'replace' THEN 'matched_replace'
            ELSE 'refused'
       END AS identity_outcome
FROM targeted;
