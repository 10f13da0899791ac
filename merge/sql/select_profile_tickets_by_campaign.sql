-- Indicator: a customer's tickets by campaign (view tickets_by_campaign), most first.
SELECT campaign AS value, tickets FROM tickets_by_campaign
WHERE customer_id = $customer_id
ORDER BY tickets DESC, campaign;
