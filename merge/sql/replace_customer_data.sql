-- on_existing = replace: the customer takes the data of its newest row in this file.
-- A value the row leaves empty keeps the customer's current value.
UPDATE customers c SET
    document_check = coalesce(p.document_check, c.document_check),
    first_name = coalesce(p.first_name, c.first_name),
    middle_name = coalesce(p.middle_name, c.middle_name),
    last_name = coalesce(p.last_name, c.last_name),
    second_last_name = coalesce(p.second_last_name, c.second_last_name),
    business_name = coalesce(p.business_name, c.business_name),
    first_name_folded = coalesce(p.first_name_folded, c.first_name_folded),
    middle_name_folded = coalesce(p.middle_name_folded, c.middle_name_folded),
    last_name_folded = coalesce(p.last_name_folded, c.last_name_folded),
    second_last_name_folded = coalesce(p.second_last_name_folded, c.second_last_name_folded),
    business_name_folded = coalesce(p.business_name_folded, c.business_name_folded),
    business_name_core = coalesce(p.business_name_core, c.business_name_core),
    legal_form = coalesce(p.legal_form, c.legal_form),
    date_of_birth = coalesce(p.date_of_birth, c.date_of_birth),
    gender = coalesce(p.gender, c.gender),
    city = coalesce(p.city, c.city),
    city_folded = coalesce(p.city_folded, c.city_folded),
    country = coalesce(p.country, c.country),
    tags = coalesce(p.tags, c.tags),
    source_updated_at = greatest(c.source_updated_at, p.updated_at),
    updated_at = $now
FROM (
    SELECT * FROM planned WHERE identity_outcome IN ('matched_replace', 'updated')
    QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY line DESC) = 1
) p
WHERE c.customer_id = p.customer_id;
