-- Drop the relations a merge would turn into a customer related to itself, or into a repeat
-- of another relation of the same two customers with the same tags (saved for unmerge).
DELETE FROM customer_relations
WHERE relation_id IN (SELECT relation_id FROM merge_relation_changes WHERE drop_relation);
