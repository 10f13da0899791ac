-- Export: one row per customer of the base (customer_360; not merged, not deleted), by id.
-- Lists are joined with "; " so that each cell holds text.
SELECT customer_id, customer_type, status, document_type, document_number, document_check,
       first_name, middle_name, last_name, second_last_name, business_name, date_of_birth, gender,
       city, country, tags, assigned_user,
       array_to_string(emails, '; ') AS emails, array_to_string(phones, '; ') AS phones,
       accounts, tickets, open_tickets,
       array_to_string(source_systems, '; ') AS source_systems, source_records, created_at, updated_at
FROM customer_360
WHERE status NOT IN ('merged', 'deleted')
ORDER BY customer_id;
