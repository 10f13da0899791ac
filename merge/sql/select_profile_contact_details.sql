-- A customer's contact details grouped by kind (phones, e-mails, addresses, then the social
-- profiles), in the order they arrived.
SELECT contact_id, kind, value, value_norm, country_code, area_code, number, line_type,
       city, country, is_valid, source_system, source_record_id
FROM contact_details
WHERE customer_id = $customer_id
ORDER BY CASE kind WHEN 'phone' THEN 1 WHEN 'email' THEN 2 WHEN 'address' THEN 3 ELSE 4 END, kind, contact_id;
