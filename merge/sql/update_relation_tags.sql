-- `unifica relation edit`: the tags describing a relation.
UPDATE customer_relations SET tags = $tags WHERE relation_id = $relation_id;
