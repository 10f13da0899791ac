-- New attachments (by ticket and file name) attached to their ticket.
INSERT INTO attachments
SELECT $first_id - 1 + row_number() OVER (ORDER BY line), ticket_id, source_system, ticket_number, file_name
FROM related_incoming r
WHERE problem IS NULL
  AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.ticket_id = r.ticket_id AND a.file_name = r.file_name)
QUALIFY row_number() OVER (PARTITION BY ticket_id, file_name ORDER BY line) = 1;
