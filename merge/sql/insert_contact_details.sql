-- The loaded rows' phones, e-mails and addresses (registered frame `staged_contacts`, keyed by
-- line) become contact details of their customer; a normalised value the customer already
-- has is not stored again.
INSERT INTO contact_details
WITH candidates AS (
    SELECT l.customer_id, l.source_system, l.source_record_id, sc.*
    FROM staged_contacts sc JOIN loaded l USING (line)
    QUALIFY row_number() OVER (PARTITION BY l.customer_id, sc.kind, sc.value_norm ORDER BY sc.line, sc.position) = 1
),
new_values AS (
    SELECT * FROM candidates x
    WHERE NOT EXISTS (SELECT 1 FROM contact_details d
                      WHERE d.customer_id = x.customer_id AND d.kind = x.kind AND d.value_norm = x.value_norm)
)
SELECT $first_contact_id - 1 + row_number() OVER (ORDER BY line, position), customer_id, kind, value, value_norm,
       country_code, area_code, number, line_type, city, country, is_valid, source_system, source_record_id, $now
FROM new_values;
