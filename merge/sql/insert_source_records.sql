-- Every loaded row, as received and normalised, with the customer it went to.
INSERT INTO source_records
SELECT record_key, $run_id, $source_name, source_system, source_record_id, $file, line, raw, content_hash,
       customer_type, document_type, document_number, document_check,
       first_name, middle_name, last_name, second_last_name, business_name,
       first_name_folded, middle_name_folded, last_name_folded, second_last_name_folded,
       business_name_folded, business_name_core, legal_form, date_of_birth, gender,
       emails, phones, address, address_folded, city, city_folded, country, tags, updated_at,
       flags, identity_key, identity_outcome, customer_id, $now
FROM loaded;
