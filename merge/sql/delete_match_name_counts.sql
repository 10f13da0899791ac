-- A full dedupe run counts the names again (name_counts): the previous counts go.
DELETE FROM match_name_counts;
