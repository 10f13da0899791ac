-- Before a merge: the contact details that move, as they are.
INSERT INTO merge_undo_contact_details
SELECT mv.merge_id, d.* FROM contact_details d JOIN merge_contact_moves mv USING (contact_id);
