-- Before a merge: the accounts that move, as they are.
INSERT INTO merge_undo_accounts
SELECT m.merge_id, a.*
FROM accounts a
JOIN merge_members m USING (customer_id)
JOIN merge_requests r ON r.merge_id = m.merge_id AND r.move_accounts;
