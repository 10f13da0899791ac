-- Move the merged customers' contact details to the main customer, skipping values the main
-- customer already has (merge_contact_moves, from stage_merge_contact_moves.sql).
UPDATE contact_details SET customer_id = mv.main_customer_id
FROM merge_contact_moves mv
WHERE contact_details.contact_id = mv.contact_id;
