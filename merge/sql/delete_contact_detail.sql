-- `unifica contact delete`.
DELETE FROM contact_details WHERE contact_id = $contact_id;
