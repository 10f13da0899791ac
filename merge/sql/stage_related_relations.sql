-- Relation rows (registered frame `staged_related`) with both customers; a relation of a
-- customer to itself is refused.
CREATE OR REPLACE TEMP TABLE related_incoming AS
SELECT s.*, a.customer_id, b.customer_id AS related_customer_id,
       CASE WHEN a.customer_id IS NULL THEN
                'no customer record ' || s.source_system || '/' || s.source_record_id
                || ' (ingest its customer file first, or fix its quarantined row)'
            WHEN b.customer_id IS NULL THEN
                'no related customer record ' || s.source_system || '/' || s.related_source_record_id
                || ' (ingest its customer file first, or fix its quarantined row)'
            WHEN a.customer_id = b.customer_id THEN
                'relates customer ' || a.customer_id || ' to itself (' || s.source_record_id || ' and '
                || s.related_source_record_id || ' are the same customer)'
       END AS problem
FROM staged_related s
LEFT JOIN record_resolution a ON a.source_system = s.source_system AND a.source_record_id = s.source_record_id
LEFT JOIN record_resolution b ON b.source_system = s.source_system AND b.source_record_id = s.related_source_record_id;
