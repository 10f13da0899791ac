-- The contact details that move to each main customer (temp table `merge_contact_moves`):
-- those of the merged customers whose value (kind + normalised value) the main customer does
-- not have yet, one per value when several merged customers share it (the oldest contact
-- detail), and for a social network only when the main customer has no profile there yet
-- (at most one per network: the oldest of the merged customers' profiles moves).
CREATE OR REPLACE TEMP TABLE merge_contact_moves AS
WITH offered AS (
    SELECT d.contact_id, d.kind, d.value_norm, m.merge_id, m.main_customer_id
    FROM contact_details d
    JOIN merge_members m ON m.customer_id = d.customer_id
    JOIN merge_requests r ON r.merge_id = m.merge_id AND r.move_contacts
),
new_values AS (
    SELECT o.* FROM offered o
    ANTI JOIN contact_details held
        ON held.customer_id = o.main_customer_id AND held.kind = o.kind AND held.value_norm = o.value_norm
    QUALIFY row_number() OVER (PARTITION BY o.merge_id, o.kind, o.value_norm ORDER BY o.contact_id) = 1
),
social AS (SELECT unnest(['facebook', 'instagram', 'linkedin', 'telegram', 'whatsapp']) AS kind)
SELECT n.contact_id, n.merge_id, n.main_customer_id
FROM new_values n
WHERE n.kind NOT IN (SELECT kind FROM social)
UNION ALL
SELECT contact_id, merge_id, main_customer_id FROM (
    SELECT n.* FROM new_values n
    SEMI JOIN social s ON s.kind = n.kind
    ANTI JOIN contact_details held ON held.customer_id = n.main_customer_id AND held.kind = n.kind
    QUALIFY row_number() OVER (PARTITION BY n.merge_id, n.kind ORDER BY n.contact_id) = 1
);
