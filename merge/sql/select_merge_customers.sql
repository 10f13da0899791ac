-- The customers a merge request names ($customer_ids), with what merge checks: type, status,
-- and the customer a merged one now lives in.
SELECT c.customer_id, c.customer_type, c.status, c.merged_into, s.surviving_id,
       coalesce(c.business_name, concat_ws(' ', c.first_name, c.last_name)) AS display_name
FROM customers c JOIN customer_survivors s USING (customer_id)
WHERE c.customer_id IN (SELECT unnest($customer_ids::BIGINT[]));
