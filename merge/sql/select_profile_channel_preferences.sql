-- Indicator: the channels a customer contacts through (view channel_preferences), preferred first.
SELECT channel, tickets, CAST(share AS DOUBLE) AS share, preference_rank
FROM channel_preferences
WHERE customer_id = $customer_id
ORDER BY preference_rank;
