-- New tickets (by source system and ticket number) attached to their customer.
INSERT INTO tickets
SELECT $first_id - 1 + row_number() OVER (ORDER BY line), customer_id, source_system, source_record_id,
       ticket_number, status, campaign, channel, assigned_agent, created_at
FROM related_incoming r
WHERE problem IS NULL
  AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.source_system = r.source_system AND t.ticket_number = r.ticket_number)
QUALIFY row_number() OVER (PARTITION BY source_system, ticket_number ORDER BY line) = 1;
