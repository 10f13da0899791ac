-- One contact detail added by hand (`unifica customer add`, `unifica contact add`).
INSERT INTO contact_details (contact_id, customer_id, kind, value, value_norm, country_code, area_code, number,
                             line_type, city, country, is_valid, source_system, source_record_id, created_at)
VALUES ($contact_id, $customer_id, $kind, $value, $value_norm, $country_code, $area_code, $number,
        $line_type, $city, $country, $is_valid, NULL, NULL, $now);
