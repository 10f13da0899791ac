-- A contact detail's value changed by hand (`unifica contact edit`), normalised again.
UPDATE contact_details SET
    value = $value, value_norm = $value_norm, country_code = $country_code, area_code = $area_code,
    number = $number, line_type = $line_type, city = $city, country = $country, is_valid = $is_valid
WHERE contact_id = $contact_id;
