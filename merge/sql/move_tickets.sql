-- Move the merged customers' tickets to the main customer, when the merge moves tickets;
-- attachments belong to tickets (ticket_id) and follow them.
UPDATE tickets SET customer_id = m.main_customer_id
FROM merge_members m JOIN merge_requests r ON r.merge_id = m.merge_id AND r.move_tickets
WHERE tickets.customer_id = m.customer_id;
