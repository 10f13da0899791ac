-- The later merges, not undone, that changed a row merge $merge_id also changed (a customer,
-- contact detail, account, ticket, relation or candidate pair): undoing $merge_id first would
-- undo part of them too. Zero rows: it can be undone on its own.
WITH kept AS (
    SELECT merge_id, 'customers' AS kept_in, customer_id AS row_id FROM merge_undo_customers
    UNION ALL SELECT merge_id, 'contact_details', contact_id FROM merge_undo_contact_details
    UNION ALL SELECT merge_id, 'accounts', account_id FROM merge_undo_accounts
    UNION ALL SELECT merge_id, 'tickets', ticket_id FROM merge_undo_tickets
    UNION ALL SELECT merge_id, 'customer_relations', relation_id FROM merge_undo_customer_relations
    UNION ALL SELECT merge_id, 'candidate_pairs', pair_id FROM merge_undo_candidate_pairs
),
mine AS (SELECT kept_in, row_id FROM kept WHERE merge_id = $merge_id)
SELECT DISTINCT e.merge_id, e.main_customer_id, e.actor, e.merged_at
FROM kept k
JOIN mine USING (kept_in, row_id)
JOIN merge_events e ON e.merge_id = k.merge_id
WHERE k.merge_id > $merge_id AND e.unmerged_at IS NULL
ORDER BY e.merge_id;
