-- Related rows that cannot be attached go to quarantine with their problem.
INSERT INTO quarantine
SELECT $first_quarantine_id - 1 + row_number() OVER (ORDER BY line), $run_id, $source_name, $kind, $file,
       line, raw, problem, $now
FROM related_incoming WHERE problem IS NOT NULL;
