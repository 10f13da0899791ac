-- The customers of a massive action's selection: those of the customer_360 view that pass
-- the user's filter. {filter} is user text, put in only by merge/massive.py after its checks
-- (no ';', no DML/DDL keyword, the whole is one SELECT), and run in a transaction that is
-- always rolled back.
SELECT customer_id FROM customer_360 WHERE ({filter}) ORDER BY customer_id
