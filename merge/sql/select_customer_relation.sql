-- One relation by id.
SELECT relation_id, customer_id, related_customer_id, tags FROM customer_relations WHERE relation_id = $relation_id;
