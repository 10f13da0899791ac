-- How many rows of each table merge $merge_id saved for its undo (merge_events.undo).
SELECT undo FROM merge_events WHERE merge_id = $merge_id;
