-- Export: the contact details of the customers of the base (not merged, not deleted).
SELECT d.contact_id, d.customer_id, d.kind, d.value, d.value_norm AS normalised, d.country_code, d.area_code,
       d.number, d.line_type, d.city, d.country, d.is_valid, d.source_system, d.source_record_id, d.created_at
FROM contact_details d JOIN customers c USING (customer_id)
WHERE c.status NOT IN ('merged', 'deleted')
ORDER BY d.customer_id, d.contact_id;
