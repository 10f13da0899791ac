-- A full dedupe run counts the common birth dates again (common_birth_dates): the previous go.
DELETE FROM match_common_birth_dates;
