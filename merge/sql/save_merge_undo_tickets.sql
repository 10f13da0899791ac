-- Before a merge: the tickets that move, as they are (their attachments follow by ticket_id).
INSERT INTO merge_undo_tickets
SELECT m.merge_id, t.*
FROM tickets t
JOIN merge_members m USING (customer_id)
JOIN merge_requests r ON r.merge_id = m.merge_id AND r.move_tickets;
