-- The name counts the model a full dedupe run fitted goes with, for incremental runs.
INSERT INTO match_name_counts SELECT customer_type, given, surname, name_count FROM name_counts;
