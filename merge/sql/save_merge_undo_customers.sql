-- Before a merge: the main and merged customers as they are (see migration 0004).
INSERT INTO merge_undo_customers
SELECT x.merge_id, c.*
FROM customers c
JOIN (SELECT merge_id, main_customer_id AS customer_id FROM merge_requests
      UNION ALL
      SELECT merge_id, customer_id FROM merge_members) x USING (customer_id);
