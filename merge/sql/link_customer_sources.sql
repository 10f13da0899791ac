-- Point every loaded source record at its customer (a newer version may move it).
MERGE INTO customer_sources cs
USING loaded l
ON cs.source_system = l.source_system AND cs.source_record_id = l.source_record_id
WHEN MATCHED THEN UPDATE SET customer_id = l.customer_id, record_key = l.record_key, linked_at = $now
WHEN NOT MATCHED THEN INSERT VALUES (l.source_system, l.source_record_id, l.customer_id, l.record_key, $now);
