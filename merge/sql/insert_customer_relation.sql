-- One relation between two customers added by hand (`unifica relation add`).
INSERT INTO customer_relations (relation_id, customer_id, related_customer_id, tags, source_system,
                                source_record_id, related_source_record_id, created_at)
VALUES ($relation_id, $customer_id, $related_customer_id, $tags, NULL, NULL, NULL, $now);
