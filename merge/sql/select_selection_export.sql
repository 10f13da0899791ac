-- The customer_360 rows of a massive export (`unifica customer massive export`) ($customer_ids), deleted customers left out.
SELECT * FROM customer_360
WHERE customer_id IN (SELECT unnest($customer_ids::BIGINT[])) AND status <> 'deleted'
ORDER BY customer_id;
