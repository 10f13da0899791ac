-- One contact detail by id.
SELECT contact_id, customer_id, kind, value, value_norm, country_code, area_code, number, line_type,
       city, country, is_valid
FROM contact_details WHERE contact_id = $contact_id;
