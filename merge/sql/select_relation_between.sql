-- The relation two customers already have, in either direction; none if they have none.
SELECT relation_id, customer_id, related_customer_id, tags FROM customer_relations
WHERE (customer_id = $customer_id AND related_customer_id = $related_customer_id)
   OR (customer_id = $related_customer_id AND related_customer_id = $customer_id)
ORDER BY relation_id LIMIT 1;
