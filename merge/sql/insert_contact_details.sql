-- The loaded rows' phones, e-mails and addresses (registered frame `staged_contacts`, keyed by
-- line) become contact details of the customer their customer lives in (itself, unless it
-- was merged). A normalised value that customer already has is not stored again on it; as a
-- merge does, it stays with the row's own (merged) customer instead. It is not stored at all
-- when a record of the row's own customer already gave it; a value another customer's record
-- gave, and a merge brought here, does not count: so every customer keeps what its own
-- records say, whatever merges came before them (an undo gives the other value back).
INSERT INTO contact_details
WITH candidates AS (
    SELECT l.customer_id AS own_id, v.surviving_id, l.source_system, l.source_record_id, sc.*
    FROM staged_contacts sc JOIN loaded l USING (line)
    JOIN customer_survivors v ON v.customer_id = l.customer_id
),
targeted AS (
    SELECT CASE WHEN EXISTS (SELECT 1 FROM contact_details d
                             WHERE d.customer_id = x.surviving_id AND d.kind = x.kind AND d.value_norm = x.value_norm)
                THEN x.own_id ELSE x.surviving_id END AS customer_id, x.*
    FROM candidates x
    QUALIFY row_number() OVER (PARTITION BY customer_id, x.kind, x.value_norm ORDER BY x.line, x.position) = 1
),
new_values AS (
    SELECT * FROM targeted x
    WHERE NOT EXISTS (SELECT 1 FROM contact_details d
                      LEFT JOIN customer_sources o
                             ON o.source_system = d.source_system AND o.source_record_id = d.source_record_id
                      WHERE d.kind = x.kind AND d.value_norm = x.value_norm
                        AND d.customer_id IN (x.customer_id, x.surviving_id)
                        AND coalesce(o.customer_id, d.customer_id) = x.own_id)
)
SELECT $first_contact_id - 1 + row_number() OVER (ORDER BY line, position), customer_id, kind, value, value_norm,
       country_code, area_code, number, line_type, city, country, is_valid, source_system, source_record_id, $now
FROM new_values;
