-- The name word shares the model a full dedupe run fitted goes with, for incremental runs.
INSERT INTO match_name_words SELECT customer_type, word, share FROM name_words;
