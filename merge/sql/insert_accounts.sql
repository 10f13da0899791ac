-- New accounts (by source system and account number) attached to their customer.
INSERT INTO accounts
SELECT $first_id - 1 + row_number() OVER (ORDER BY line), customer_id, source_system, source_record_id,
       account_number, account_type, status, opened_at, $now
FROM related_incoming r
WHERE problem IS NULL
  AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.source_system = r.source_system AND a.account_number = r.account_number)
QUALIFY row_number() OVER (PARTITION BY source_system, account_number ORDER BY line) = 1;
