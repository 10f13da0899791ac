-- Export dashboard: tickets by status over the customer base (view tickets_by_status), most first.
SELECT i.status, sum(i.tickets)::BIGINT AS tickets
FROM tickets_by_status i JOIN customers c USING (customer_id)
WHERE c.status NOT IN ('merged', 'deleted')
GROUP BY i.status
ORDER BY tickets DESC, i.status;
