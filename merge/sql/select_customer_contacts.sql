-- A customer's contact details, by kind and normalised value.
SELECT contact_id, kind, value_norm FROM contact_details WHERE customer_id = $customer_id ORDER BY contact_id;
