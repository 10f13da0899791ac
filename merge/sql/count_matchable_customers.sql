-- Customers matching compares, per type: the active and the merged (compared as themselves).
SELECT customer_type, count(*) FROM customers WHERE status IN ('active', 'merged') GROUP BY ALL ORDER BY ALL;
