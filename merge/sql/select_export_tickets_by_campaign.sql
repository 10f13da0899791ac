-- Export dashboard: tickets by campaign over the customer base (view tickets_by_campaign), most first.
SELECT i.campaign, sum(i.tickets)::BIGINT AS tickets
FROM tickets_by_campaign i JOIN customers c USING (customer_id)
WHERE c.status NOT IN ('merged', 'deleted')
GROUP BY i.campaign
ORDER BY tickets DESC, i.campaign;
