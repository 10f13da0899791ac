-- The merged customers end `merged`, pointing at their main customer.
UPDATE customers SET status = 'merged', merged_into = m.main_customer_id, updated_at = $now
FROM merge_members m
WHERE customers.customer_id = m.customer_id;
