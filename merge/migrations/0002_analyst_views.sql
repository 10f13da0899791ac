-- 0002: the views analysts query (DESIGN.md, "Warehouse").

-- The customer each customer now lives in: itself, or the end of its merged_into chain.
CREATE VIEW customer_survivors AS
WITH RECURSIVE chain(customer_id, current_id, depth) AS (
    SELECT customer_id, customer_id, 0 FROM customers
    UNION ALL
    SELECT chain.customer_id, c.merged_into, chain.depth + 1
    FROM chain JOIN customers c ON c.customer_id = chain.current_id
    WHERE c.merged_into IS NOT NULL AND chain.depth < 64
)
SELECT customer_id, arg_max(current_id, depth) AS surviving_id FROM chain GROUP BY customer_id;

-- The surviving customer of every source record, following merges.
CREATE VIEW record_resolution AS
SELECT cs.source_system, cs.source_record_id, s.surviving_id AS customer_id
FROM customer_sources cs JOIN customer_survivors s USING (customer_id);

CREATE VIEW tickets_by_status AS
SELECT customer_id, coalesce(status, 'unknown') AS status, count(*) AS tickets
FROM tickets GROUP BY ALL;

CREATE VIEW tickets_by_campaign AS
SELECT customer_id, coalesce(campaign, 'none') AS campaign, count(*) AS tickets
FROM tickets GROUP BY ALL;

-- The channels a customer contacts through, most used first.
CREATE VIEW channel_preferences AS
WITH counted AS (
    SELECT customer_id, coalesce(channel, 'unknown') AS channel, count(*) AS tickets
    FROM tickets GROUP BY customer_id, coalesce(channel, 'unknown')
)
SELECT customer_id, channel, tickets,
       tickets / sum(tickets) OVER (PARTITION BY customer_id) AS share,
       row_number() OVER (PARTITION BY customer_id ORDER BY tickets DESC, channel) AS preference_rank
FROM counted;

-- One row per customer with its contact details, accounts, tickets and sources summed up.
CREATE VIEW customer_360 AS
SELECT c.customer_id, c.customer_type, c.status, c.merged_into,
       c.document_type, c.document_number, c.document_check,
       c.first_name, c.middle_name, c.last_name, c.second_last_name, c.business_name,
       c.date_of_birth, c.gender, c.city, c.country, c.tags, c.assigned_user,
       (SELECT list(value_norm ORDER BY contact_id) FROM contact_details d WHERE d.customer_id = c.customer_id AND d.kind = 'email') AS emails,
       (SELECT list(value_norm ORDER BY contact_id) FROM contact_details d WHERE d.customer_id = c.customer_id AND d.kind = 'phone') AS phones,
       (SELECT count(*) FROM accounts a WHERE a.customer_id = c.customer_id) AS accounts,
       (SELECT count(*) FROM tickets t WHERE t.customer_id = c.customer_id) AS tickets,
       (SELECT count(*) FROM tickets t WHERE t.customer_id = c.customer_id AND t.status IN ('open', 'in_progress', 'escalated')) AS open_tickets,
       (SELECT list(DISTINCT s.source_system ORDER BY s.source_system) FROM customer_sources s WHERE s.customer_id = c.customer_id) AS source_systems,
       (SELECT count(*) FROM customer_sources s WHERE s.customer_id = c.customer_id) AS source_records,
       c.created_at, c.updated_at
FROM customers c;
