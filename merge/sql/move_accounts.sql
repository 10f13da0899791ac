-- Move the merged customers' accounts to the main customer, when the merge moves accounts.
UPDATE accounts SET customer_id = m.main_customer_id
FROM merge_members m JOIN merge_requests r ON r.merge_id = m.merge_id AND r.move_accounts
WHERE accounts.customer_id = m.customer_id;
