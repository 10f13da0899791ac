-- The customer `unifica customer show $customer_id` shows: the requested customer's status,
-- the customer it was merged into and the one it now lives in (customer_survivors), and the
-- merge, not undone, that merged it (merge_events). Zero rows: no such customer.
SELECT c.customer_id, c.status, c.merged_into, s.surviving_id,
       e.merge_id, e.merged_at, e.actor AS merged_by
FROM customers c
JOIN customer_survivors s USING (customer_id)
LEFT JOIN merge_events e
       ON c.status = 'merged' AND e.unmerged_at IS NULL AND list_contains(e.merged_customer_ids, c.customer_id)
WHERE c.customer_id = $customer_id
ORDER BY e.merge_id DESC NULLS LAST
LIMIT 1;
