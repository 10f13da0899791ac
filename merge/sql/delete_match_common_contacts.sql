-- A full dedupe run counts the common contact details again (common_contacts): the previous go.
DELETE FROM match_common_contacts;
