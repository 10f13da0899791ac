-- After an unmerge: merge $merge_id's saved rows of {table} are no longer needed.
DELETE FROM merge_undo_{table} WHERE merge_id = $merge_id;
