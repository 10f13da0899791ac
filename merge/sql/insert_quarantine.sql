-- Rows (or a whole file, line NULL) that could not be loaded, from the registered frame `staged_quarantine`.
INSERT INTO quarantine
SELECT $first_quarantine_id - 1 + row_number() OVER (ORDER BY coalesce(line, 0)), $run_id, $source_name, $kind, $file,
       line, raw, reason, $now
FROM staged_quarantine;
