-- Remember a file read in full, so re-ingesting the same bytes is recognised and skipped.
INSERT INTO ingested_files VALUES (
    (SELECT coalesce(max(file_id), 0) + 1 FROM ingested_files), $run_id, $source_name, $kind, $file,
    $sha256, $size_bytes, $rows_read, $rows_loaded, $rows_quarantined, $now);
