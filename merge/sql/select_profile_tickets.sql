-- A customer's tickets, most recent first (undated ones last), each with its attachments' file names.
SELECT t.ticket_id, t.ticket_number, t.status, t.campaign, t.channel, t.assigned_agent, t.created_at,
       t.source_system, t.source_record_id,
       coalesce((SELECT list(a.file_name ORDER BY a.attachment_id) FROM attachments a
                 WHERE a.ticket_id = t.ticket_id), []) AS attachments
FROM tickets t
WHERE t.customer_id = $customer_id
ORDER BY t.created_at DESC NULLS LAST, t.ticket_id DESC;
