-- Unmerge, second half: the rows of {table} as they were before merge $merge_id, put back.
INSERT INTO {table} SELECT * EXCLUDE (merge_id) FROM merge_undo_{table} WHERE merge_id = $merge_id;
