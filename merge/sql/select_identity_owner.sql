-- The customer an identity (customer_type|document_type|document_number) lives in now,
-- following merges, and the customer that holds the identity itself; none if no customer has it.
SELECT s.customer_id AS surviving_id, c.customer_id AS holder_id, s.status,
       CASE WHEN s.customer_type = 'company' AND s.business_name IS NOT NULL THEN s.business_name
            ELSE concat_ws(' ', s.first_name, s.middle_name, s.last_name, s.second_last_name) END AS display_name
FROM customers c
JOIN customer_survivors v USING (customer_id)
JOIN customers s ON s.customer_id = v.surviving_id
WHERE c.identity_key = $identity_key
ORDER BY (c.customer_id = v.surviving_id) DESC, s.customer_id, c.customer_id
LIMIT 1;
