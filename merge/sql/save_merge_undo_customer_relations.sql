-- Before a merge: the relations that are re-pointed or dropped, as they are.
INSERT INTO merge_undo_customer_relations
SELECT ch.merge_id, rel.* FROM customer_relations rel JOIN merge_relation_changes ch USING (relation_id);
