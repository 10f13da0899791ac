-- The merge stays in the history, marked undone: when and by whom.
UPDATE merge_events SET unmerged_at = $now, unmerged_by = $actor WHERE merge_id = $merge_id;
