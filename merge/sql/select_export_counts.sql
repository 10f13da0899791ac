-- Export: how many rows each entity sheet gets (the same filters as select_export_*.sql).
WITH base AS (SELECT customer_id FROM customers WHERE status NOT IN ('merged', 'deleted'))
SELECT (SELECT count(*) FROM base) AS customers,
       (SELECT count(*) FROM contact_details JOIN base USING (customer_id)) AS contact_details,
       (SELECT count(*) FROM accounts JOIN base USING (customer_id)) AS accounts,
       (SELECT count(*) FROM tickets JOIN base USING (customer_id)) AS tickets;
