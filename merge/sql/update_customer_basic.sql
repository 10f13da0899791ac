-- A customer's basic fields as edited by hand (`unifica customer edit`, `customer add
-- --on-existing replace`): display and folded forms together, and its identity.
UPDATE customers SET
    customer_type = $customer_type, document_type = $document_type, document_number = $document_number,
    document_check = $document_check, identity_key = $identity_key,
    first_name = $first_name, middle_name = $middle_name, last_name = $last_name,
    second_last_name = $second_last_name, business_name = $business_name,
    first_name_folded = $first_name_folded, middle_name_folded = $middle_name_folded,
    last_name_folded = $last_name_folded, second_last_name_folded = $second_last_name_folded,
    business_name_folded = $business_name_folded, business_name_core = $business_name_core,
    legal_form = $legal_form, date_of_birth = $date_of_birth, gender = $gender,
    city = $city, city_folded = $city_folded, country = $country, tags = $tags,
    updated_at = $now
WHERE customer_id = $customer_id;
