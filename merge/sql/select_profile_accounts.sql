-- A customer's accounts, oldest first.
SELECT account_id, account_number, account_type, status, opened_at, source_system, source_record_id
FROM accounts
WHERE customer_id = $customer_id
ORDER BY opened_at NULLS LAST, account_number, account_id;
