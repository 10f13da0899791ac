-- Re-point the merged customers' relations to the main customer (tags kept).
UPDATE customer_relations SET customer_id = ch.customer_id, related_customer_id = ch.related_customer_id
FROM merge_relation_changes ch
WHERE customer_relations.relation_id = ch.relation_id AND NOT ch.drop_relation;
