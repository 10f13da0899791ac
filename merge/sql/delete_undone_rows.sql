-- Unmerge, first half, for one table of migration 0004 ({table}, keyed by {key}): the current
-- versions of the rows merge $merge_id changed go (restore_undone_rows.sql puts the saved ones back).
DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM merge_undo_{table} WHERE merge_id = $merge_id);
