-- A customer's related customers in both directions: 'to' the relations it names (it is
-- customer_id), 'from' those naming it; the other customer's id, name and status, and the tags.
WITH mine AS (
    SELECT relation_id, 'to' AS direction, related_customer_id AS other_id, tags
    FROM customer_relations WHERE customer_id = $customer_id
    UNION ALL
    SELECT relation_id, 'from', customer_id, tags
    FROM customer_relations WHERE related_customer_id = $customer_id
)
SELECT m.relation_id, m.direction, m.other_id AS customer_id,
       coalesce(o.business_name,
                nullif(concat_ws(' ', o.first_name, o.middle_name, o.last_name, o.second_last_name), '')) AS name,
       o.status, m.tags
FROM mine m
LEFT JOIN customers o ON o.customer_id = m.other_id
ORDER BY m.direction DESC, m.other_id, m.relation_id;
