-- Export: the accounts of the customers of the base (not merged, not deleted).
SELECT a.account_id, a.customer_id, a.account_number, a.account_type, a.status, a.opened_at,
       a.source_system, a.source_record_id, a.created_at
FROM accounts a JOIN customers c USING (customer_id)
WHERE c.status NOT IN ('merged', 'deleted')
ORDER BY a.customer_id, a.account_id;
