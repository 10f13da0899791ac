-- The source records a customer came from, its own and those of the customers merged into it
-- (linked_customer_id), with the file and line their latest version was read from.
SELECT cs.source_system, cs.source_record_id, cs.customer_id AS linked_customer_id,
       r.file, r.line, cs.linked_at
FROM customer_sources cs
JOIN customer_survivors s USING (customer_id)
LEFT JOIN source_records r USING (record_key)
WHERE s.surviving_id = $customer_id
ORDER BY cs.source_system, cs.source_record_id;
