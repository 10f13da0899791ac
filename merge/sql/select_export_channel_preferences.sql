-- Export dashboard: channel preferences over the customer base (view channel_preferences): per
-- channel, the tickets through it and the customers who use it most (preference_rank 1).
SELECT p.channel, sum(p.tickets)::BIGINT AS tickets,
       count(*) FILTER (WHERE p.preference_rank = 1) AS customers_preferring
FROM channel_preferences p JOIN customers c USING (customer_id)
WHERE c.status NOT IN ('merged', 'deleted')
GROUP BY p.channel
ORDER BY customers_preferring DESC, tickets DESC, p.channel;
