-- One customer's row for `unifica customer edit` and the contact / relation commands, with the
-- customer it now lives in (itself unless merged) and its display name.
SELECT c.*, v.surviving_id,
       CASE WHEN c.customer_type = 'company' AND c.business_name IS NOT NULL THEN c.business_name
            ELSE concat_ws(' ', c.first_name, c.middle_name, c.last_name, c.second_last_name) END AS display_name
FROM customers c JOIN customer_survivors v USING (customer_id)
WHERE c.customer_id = $customer_id;
