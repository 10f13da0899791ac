-- Export: the tickets of the customers of the base (not merged, not deleted), with how many
-- attachments each has.
SELECT t.ticket_id, t.customer_id, t.ticket_number, t.status, t.campaign, t.channel, t.assigned_agent,
       t.created_at, (SELECT count(*) FROM attachments x WHERE x.ticket_id = t.ticket_id) AS attachments,
       t.source_system, t.source_record_id
FROM tickets t JOIN customers c USING (customer_id)
WHERE c.status NOT IN ('merged', 'deleted')
ORDER BY t.customer_id, t.ticket_id;
