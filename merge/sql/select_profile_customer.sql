-- A customer's basic information, and the customers merged directly into it.
SELECT customer_id, customer_type, document_type, document_number, document_check,
       first_name, middle_name, last_name, second_last_name, business_name, legal_form,
       date_of_birth, gender, city, country, tags, status, merged_into, assigned_user,
       source_updated_at, created_at, updated_at,
       coalesce((SELECT list(m.customer_id ORDER BY m.customer_id) FROM customers m
                 WHERE m.merged_into = c.customer_id AND m.status = 'merged'), []) AS merged_customer_ids
FROM customers c
WHERE customer_id = $customer_id;
