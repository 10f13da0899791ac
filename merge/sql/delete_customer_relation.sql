-- `unifica relation delete`.
DELETE FROM customer_relations WHERE relation_id = $relation_id;
