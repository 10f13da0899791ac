-- Accounts or tickets rows (registered frame `staged_related`) with the customer their source
-- record now lives in, and the reason a row cannot be loaded (problem), if any.
CREATE OR REPLACE TEMP TABLE related_incoming AS
SELECT s.*, rr.customer_id,
       CASE WHEN rr.customer_id IS NULL THEN
           'no customer record ' || s.source_system || '/' || s.source_record_id
           || ' (ingest its customer file first, or fix its quarantined row)' END AS problem
FROM staged_related s
LEFT JOIN record_resolution rr ON rr.source_system = s.source_system AND rr.source_record_id = s.source_record_id;
