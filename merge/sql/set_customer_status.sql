-- Set the status of the customers named ($customer_ids) that are not in it yet: disabled
-- (kept, out of matching), active (enabled again), deleted (a tombstone, never removed).
UPDATE customers SET status = $status, updated_at = $now
WHERE customer_id IN (SELECT unnest($customer_ids::BIGINT[])) AND status <> $status;
