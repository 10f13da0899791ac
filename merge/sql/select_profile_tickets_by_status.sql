-- Indicator: a customer's tickets by status (view tickets_by_status), most first.
SELECT status AS value, tickets FROM tickets_by_status
WHERE customer_id = $customer_id
ORDER BY tickets DESC, status;
