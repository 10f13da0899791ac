-- The common contact details the model a full dedupe run fitted goes with, for incremental runs.
INSERT INTO match_common_contacts SELECT contact, customers FROM common_contacts;
