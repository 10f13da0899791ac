-- The main customer's empty basic fields are filled from its merged customers (the first, by
-- member_rank, that has the field), when the merge fills missing fields; nothing it has is
-- overwritten. A name is filled with its folded form, a company name with its core and legal
-- form, a city with its folded form. The identity (document) is never filled: it is the key.
-- Every main customer's updated_at becomes $now.
UPDATE customers SET
    first_name = coalesce(customers.first_name, f.first_name),
    first_name_folded = CASE WHEN customers.first_name IS NULL THEN f.first_name_folded ELSE customers.first_name_folded END,
    middle_name = coalesce(customers.middle_name, f.middle_name),
    middle_name_folded = CASE WHEN customers.middle_name IS NULL THEN f.middle_name_folded ELSE customers.middle_name_folded END,
    last_name = coalesce(customers.last_name, f.last_name),
    last_name_folded = CASE WHEN customers.last_name IS NULL THEN f.last_name_folded ELSE customers.last_name_folded END,
    second_last_name = coalesce(customers.second_last_name, f.second_last_name),
    second_last_name_folded = CASE WHEN customers.second_last_name IS NULL THEN f.second_last_name_folded ELSE customers.second_last_name_folded END,
    business_name = coalesce(customers.business_name, f.business_name),
    business_name_folded = CASE WHEN customers.business_name IS NULL THEN f.business_name_folded ELSE customers.business_name_folded END,
    business_name_core = CASE WHEN customers.business_name IS NULL THEN f.business_name_core ELSE customers.business_name_core END,
    legal_form = CASE WHEN customers.business_name IS NULL THEN f.legal_form ELSE customers.legal_form END,
    date_of_birth = coalesce(customers.date_of_birth, f.date_of_birth),
    gender = coalesce(customers.gender, f.gender),
    city = coalesce(customers.city, f.city),
    city_folded = CASE WHEN customers.city IS NULL THEN f.city_folded ELSE customers.city_folded END,
    country = coalesce(customers.country, f.country),
    tags = coalesce(customers.tags, f.tags),
    updated_at = $now
FROM (
    SELECT r.main_customer_id,
           arg_min(c.first_name, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.first_name, '') IS NOT NULL) AS first_name,
           arg_min(c.first_name_folded, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.first_name, '') IS NOT NULL) AS first_name_folded,
           arg_min(c.middle_name, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.middle_name, '') IS NOT NULL) AS middle_name,
           arg_min(c.middle_name_folded, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.middle_name, '') IS NOT NULL) AS middle_name_folded,
           arg_min(c.last_name, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.last_name, '') IS NOT NULL) AS last_name,
           arg_min(c.last_name_folded, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.last_name, '') IS NOT NULL) AS last_name_folded,
           arg_min(c.second_last_name, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.second_last_name, '') IS NOT NULL) AS second_last_name,
           arg_min(c.second_last_name_folded, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.second_last_name, '') IS NOT NULL) AS second_last_name_folded,
           arg_min(c.business_name, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.business_name, '') IS NOT NULL) AS business_name,
           arg_min(c.business_name_folded, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.business_name, '') IS NOT NULL) AS business_name_folded,
           arg_min(c.business_name_core, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.business_name, '') IS NOT NULL) AS business_name_core,
           arg_min(c.legal_form, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.business_name, '') IS NOT NULL) AS legal_form,
           arg_min(c.date_of_birth, m.member_rank) FILTER (WHERE r.fill_missing AND c.date_of_birth IS NOT NULL) AS date_of_birth,
           arg_min(c.gender, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.gender, '') IS NOT NULL) AS gender,
           arg_min(c.city, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.city, '') IS NOT NULL) AS city,
           arg_min(c.city_folded, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.city, '') IS NOT NULL) AS city_folded,
           arg_min(c.country, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.country, '') IS NOT NULL) AS country,
           arg_min(c.tags, m.member_rank) FILTER (WHERE r.fill_missing AND nullif(c.tags, '') IS NOT NULL) AS tags
    FROM merge_requests r
    JOIN merge_members m USING (merge_id)
    JOIN customers c ON c.customer_id = m.customer_id
    GROUP BY r.main_customer_id
) f
WHERE customers.customer_id = f.main_customer_id;
