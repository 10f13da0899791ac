-- A full dedupe run counts the name words again (name_words): the previous shares go.
DELETE FROM match_name_words;
