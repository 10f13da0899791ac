-- Survivorship (DESIGN.md, "Matching"): for every group of customers in the temp table
-- `survivor_groups` (group_id, customer_id), its customers ranked, 1 = the main customer.
-- {order} is the configured rule list turned into ORDER BY terms by merge/survivorship.py.
-- completeness: the basic fields filled in, a valid document, and the kinds of contact
-- detail held.
WITH contact_kinds AS (
    SELECT customer_id, count(DISTINCT kind) AS kinds
    FROM contact_details
    WHERE customer_id IN (SELECT customer_id FROM survivor_groups)
    GROUP BY customer_id
),
scored AS (
    SELECT g.group_id, c.customer_id, c.created_at,
           coalesce(c.source_updated_at, c.updated_at) AS last_updated,
           (c.document_number IS NOT NULL)::INT + (c.document_check = 'valid')::INT
           + (nullif(c.first_name, '') IS NOT NULL)::INT + (nullif(c.middle_name, '') IS NOT NULL)::INT
           + (nullif(c.last_name, '') IS NOT NULL)::INT + (nullif(c.second_last_name, '') IS NOT NULL)::INT
           + (nullif(c.business_name, '') IS NOT NULL)::INT + (c.date_of_birth IS NOT NULL)::INT
           + (nullif(c.gender, '') IS NOT NULL)::INT + (nullif(c.city, '') IS NOT NULL)::INT
           + (nullif(c.country, '') IS NOT NULL)::INT + (nullif(c.tags, '') IS NOT NULL)::INT
           + coalesce(k.kinds, 0) AS completeness
    FROM survivor_groups g
    JOIN customers c USING (customer_id)
    LEFT JOIN contact_kinds k USING (customer_id)
)
SELECT group_id, customer_id,
       row_number() OVER (PARTITION BY group_id ORDER BY {order}, customer_id) AS survivor_rank
FROM scored
ORDER BY group_id, survivor_rank;
