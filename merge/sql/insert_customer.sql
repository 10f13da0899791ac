-- One customer added by hand (`unifica customer add`): active, created and updated now.
INSERT INTO customers (customer_id, customer_type, document_type, document_number, document_check, identity_key,
                       first_name, middle_name, last_name, second_last_name, business_name,
                       first_name_folded, middle_name_folded, last_name_folded, second_last_name_folded,
                       business_name_folded, business_name_core, legal_form, date_of_birth, gender,
                       city, city_folded, country, tags, status, merged_into, assigned_user, source_updated_at,
                       created_at, updated_at)
VALUES ($customer_id, $customer_type, $document_type, $document_number, $document_check, $identity_key,
        $first_name, $middle_name, $last_name, $second_last_name, $business_name,
        $first_name_folded, $middle_name_folded, $last_name_folded, $second_last_name_folded,
        $business_name_folded, $business_name_core, $legal_form, $date_of_birth, $gender,
        $city, $city_folded, $country, $tags, 'active', NULL, NULL, NULL, $now, $now);
