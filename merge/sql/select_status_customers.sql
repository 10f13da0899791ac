-- The customers a status or assignment change names ($customer_ids), with what it checks:
-- status, the customer a merged one now lives in, the assigned user.
SELECT c.customer_id, c.status, c.merged_into, s.surviving_id, c.assigned_user
FROM customers c JOIN customer_survivors s USING (customer_id)
WHERE c.customer_id IN (SELECT unnest($customer_ids::BIGINT[]))
ORDER BY c.customer_id;
