-- Attachment rows (registered frame `staged_related`) with the ticket they belong to.
CREATE OR REPLACE TEMP TABLE related_incoming AS
SELECT s.*, t.ticket_id,
       CASE WHEN t.ticket_id IS NULL THEN
           'no ticket ' || s.ticket_number || ' from ' || s.source_system
           || ' (ingest its tickets file first, or fix its quarantined row)' END AS problem
FROM staged_related s
LEFT JOIN (SELECT source_system, ticket_number, min(ticket_id) AS ticket_id FROM tickets GROUP BY ALL) t
       ON t.source_system = s.source_system AND t.ticket_number = s.ticket_number;
