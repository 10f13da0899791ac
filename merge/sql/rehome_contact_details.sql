-- After an auto-merge was undone (merge/merging.py, revise_auto_merges): a contact detail an
-- ingest brought while its customer was merged sits on the customer it lived in then; it goes
-- back to the customer its record belongs to (as it lives now), unless that one has the value.
-- Only contact details now on one of $customer_ids move.
UPDATE contact_details SET customer_id = x.target
FROM (
    SELECT d.contact_id, v.surviving_id AS target
    FROM contact_details d
    JOIN customer_sources s ON s.source_system = d.source_system AND s.source_record_id = d.source_record_id
    JOIN customer_survivors v ON v.customer_id = s.customer_id
    WHERE d.customer_id <> v.surviving_id
      AND list_contains($customer_ids, d.customer_id)
      AND NOT EXISTS (SELECT 1 FROM contact_details o
                      WHERE o.customer_id = v.surviving_id AND o.kind = d.kind AND o.value_norm = d.value_norm)
    QUALIFY row_number() OVER (PARTITION BY v.surviving_id, d.kind, d.value_norm ORDER BY d.contact_id) = 1
) x
WHERE contact_details.contact_id = x.contact_id;
