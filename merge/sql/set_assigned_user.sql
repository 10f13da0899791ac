-- Assign the customers named ($customer_ids) to $assigned_user (NULL: unassign them).
UPDATE customers SET assigned_user = $assigned_user, updated_at = $now
WHERE customer_id IN (SELECT unnest($customer_ids::BIGINT[]))
  AND assigned_user IS DISTINCT FROM $assigned_user;
