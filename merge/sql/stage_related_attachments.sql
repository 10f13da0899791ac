-- Attachment rows (registered frame `staged_related`) with the ticket they belong to; the
-- customer record they name must exist too.
CREATE OR REPLACE TEMP TABLE related_incoming AS
SELECT s.*, t.ticket_id,
       CASE WHEN rr.customer_id IS NULL THEN
                'no customer record ' || s.source_system || '/' || s.source_record_id
                || ' (ingest its customer file first, or fix its quarantined row)'
            WHEN t.ticket_id IS NULL THEN
                'no ticket ' || s.ticket_number || ' from ' || s.source_system
                || ' (ingest its tickets file first, or fix its quarantined row)'
       END AS problem
FROM staged_related s
LEFT JOIN record_resolution rr ON rr.source_system = s.source_system AND rr.source_record_id = s.source_record_id
LEFT JOIN (SELECT source_system, ticket_number, min(ticket_id) AS ticket_id FROM tickets GROUP BY ALL) t
       ON t.source_system = s.source_system AND t.ticket_number = s.ticket_number;
