-- New relations between two customers, with the tags that describe them.
INSERT INTO customer_relations
SELECT $first_id - 1 + row_number() OVER (ORDER BY line), customer_id, related_customer_id, tags,
       source_system, source_record_id, related_source_record_id, $now
FROM related_incoming r
WHERE problem IS NULL
  AND NOT EXISTS (SELECT 1 FROM customer_relations c
                  WHERE c.customer_id = r.customer_id AND c.related_customer_id = r.related_customer_id
                    AND c.tags IS NOT DISTINCT FROM r.tags)
QUALIFY row_number() OVER (PARTITION BY customer_id, related_customer_id, tags ORDER BY line) = 1;
