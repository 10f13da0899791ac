-- One merge_events row per merge: who, when, why, and (undo) how many rows each undo table
-- keeps for it (the rows themselves are in the merge_undo_* tables, migration 0004).
INSERT INTO merge_events
WITH kept AS (
    SELECT merge_id, 'customers' AS kept_in FROM merge_undo_customers
    UNION ALL SELECT merge_id, 'contact_details' FROM merge_undo_contact_details
    UNION ALL SELECT merge_id, 'accounts' FROM merge_undo_accounts
    UNION ALL SELECT merge_id, 'tickets' FROM merge_undo_tickets
    UNION ALL SELECT merge_id, 'customer_relations' FROM merge_undo_customer_relations
    UNION ALL SELECT merge_id, 'candidate_pairs' FROM merge_undo_candidate_pairs
),
counts AS (
    SELECT merge_id,
           json_object('customers', count(*) FILTER (WHERE kept_in = 'customers'),
                       'contact_details', count(*) FILTER (WHERE kept_in = 'contact_details'),
                       'accounts', count(*) FILTER (WHERE kept_in = 'accounts'),
                       'tickets', count(*) FILTER (WHERE kept_in = 'tickets'),
                       'customer_relations', count(*) FILTER (WHERE kept_in = 'customer_relations'),
                       'candidate_pairs', count(*) FILTER (WHERE kept_in = 'candidate_pairs')) AS undo
    FROM kept SEMI JOIN merge_requests USING (merge_id)
    GROUP BY merge_id
),
members AS (
    SELECT merge_id, list(customer_id ORDER BY member_rank) AS merged_customer_ids
    FROM merge_members GROUP BY merge_id
)
SELECT r.merge_id, r.main_customer_id, m.merged_customer_ids, r.elements, r.actor, r.reason,
       r.pair_id, r.match_probability, c.undo, $now, NULL, NULL
FROM merge_requests r JOIN members m USING (merge_id) JOIN counts c USING (merge_id);
