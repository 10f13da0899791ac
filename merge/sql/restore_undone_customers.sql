-- Unmerge, for customers (instead of delete_undone_rows / restore_undone_rows): what merge
-- $merge_id changed of its customers goes back, and nothing else. Its merged customers get
-- their status and merged_into back. Its main customer gets back every basic field the
-- merge filled (empty before, and still the value the first merged customer having it
-- gave); its status stays (a steward may have disabled it since). updated_at goes back only
-- where nothing changed the row after the merge. A field a later ingest or steward changed
-- keeps that change, so undoing an old merge loses no data that came after it.
UPDATE customers c SET
    status = CASE WHEN m.customer_id IS NULL THEN u.status ELSE c.status END,
    merged_into = CASE WHEN m.customer_id IS NULL THEN u.merged_into ELSE c.merged_into END,
    updated_at = CASE WHEN c.updated_at = e.merged_at THEN u.updated_at ELSE c.updated_at END,
    first_name = CASE WHEN (m.customer_id IS NOT NULL AND u.first_name IS NULL AND c.first_name IS NOT DISTINCT FROM f.first_name) THEN NULL ELSE c.first_name END,
    first_name_folded = CASE WHEN (m.customer_id IS NOT NULL AND u.first_name IS NULL AND c.first_name IS NOT DISTINCT FROM f.first_name) THEN u.first_name_folded ELSE c.first_name_folded END,
    middle_name = CASE WHEN (m.customer_id IS NOT NULL AND u.middle_name IS NULL AND c.middle_name IS NOT DISTINCT FROM f.middle_name) THEN NULL ELSE c.middle_name END,
    middle_name_folded = CASE WHEN (m.customer_id IS NOT NULL AND u.middle_name IS NULL AND c.middle_name IS NOT DISTINCT FROM f.middle_name) THEN u.middle_name_folded ELSE c.middle_name_folded END,
    last_name = CASE WHEN (m.customer_id IS NOT NULL AND u.last_name IS NULL AND c.last_name IS NOT DISTINCT FROM f.last_name) THEN NULL ELSE c.last_name END,
    last_name_folded = CASE WHEN (m.customer_id IS NOT NULL AND u.last_name IS NULL AND c.last_name IS NOT DISTINCT FROM f.last_name) THEN u.last_name_folded ELSE c.last_name_folded END,
    second_last_name = CASE WHEN (m.customer_id IS NOT NULL AND u.second_last_name IS NULL AND c.second_last_name IS NOT DISTINCT FROM f.second_last_name) THEN NULL ELSE c.second_last_name END,
    second_last_name_folded = CASE WHEN (m.customer_id IS NOT NULL AND u.second_last_name IS NULL AND c.second_last_name IS NOT DISTINCT FROM f.second_last_name) THEN u.second_last_name_folded ELSE c.second_last_name_folded END,
    business_name = CASE WHEN (m.customer_id IS NOT NULL AND u.business_name IS NULL AND c.business_name IS NOT DISTINCT FROM f.business_name) THEN NULL ELSE c.business_name END,
    business_name_folded = CASE WHEN (m.customer_id IS NOT NULL AND u.business_name IS NULL AND c.business_name IS NOT DISTINCT FROM f.business_name) THEN u.business_name_folded ELSE c.business_name_folded END,
    business_name_core = CASE WHEN (m.customer_id IS NOT NULL AND u.business_name IS NULL AND c.business_name IS NOT DISTINCT FROM f.business_name) THEN u.business_name_core ELSE c.business_name_core END,
    legal_form = CASE WHEN (m.customer_id IS NOT NULL AND u.business_name IS NULL AND c.business_name IS NOT DISTINCT FROM f.business_name) THEN u.legal_form ELSE c.legal_form END,
    date_of_birth = CASE WHEN (m.customer_id IS NOT NULL AND u.date_of_birth IS NULL AND c.date_of_birth IS NOT DISTINCT FROM f.date_of_birth) THEN NULL ELSE c.date_of_birth END,
    gender = CASE WHEN (m.customer_id IS NOT NULL AND u.gender IS NULL AND c.gender IS NOT DISTINCT FROM f.gender) THEN NULL ELSE c.gender END,
    city = CASE WHEN (m.customer_id IS NOT NULL AND u.city IS NULL AND c.city IS NOT DISTINCT FROM f.city) THEN NULL ELSE c.city END,
    city_folded = CASE WHEN (m.customer_id IS NOT NULL AND u.city IS NULL AND c.city IS NOT DISTINCT FROM f.city) THEN u.city_folded ELSE c.city_folded END,
    country = CASE WHEN (m.customer_id IS NOT NULL AND u.country IS NULL AND c.country IS NOT DISTINCT FROM f.country) THEN NULL ELSE c.country END,
    tags = CASE WHEN (m.customer_id IS NOT NULL AND u.tags IS NULL AND c.tags IS NOT DISTINCT FROM f.tags) THEN NULL ELSE c.tags END
FROM merge_undo_customers u
JOIN merge_events e ON e.merge_id = u.merge_id
LEFT JOIN (SELECT main_customer_id AS customer_id FROM merge_events WHERE merge_id = $merge_id) m
       ON m.customer_id = u.customer_id
CROSS JOIN (
    SELECT
           arg_min(o.first_name, list_position(e.merged_customer_ids, o.customer_id)) FILTER (WHERE nullif(o.first_name::TEXT, '') IS NOT NULL) AS first_name,
           arg_min(o.middle_name, list_position(e.merged_customer_ids, o.customer_id)) FILTER (WHERE nullif(o.middle_name::TEXT, '') IS NOT NULL) AS middle_name,
           arg_min(o.last_name, list_position(e.merged_customer_ids, o.customer_id)) FILTER (WHERE nullif(o.last_name::TEXT, '') IS NOT NULL) AS last_name,
           arg_min(o.second_last_name, list_position(e.merged_customer_ids, o.customer_id)) FILTER (WHERE nullif(o.second_last_name::TEXT, '') IS NOT NULL) AS second_last_name,
           arg_min(o.business_name, list_position(e.merged_customer_ids, o.customer_id)) FILTER (WHERE nullif(o.business_name::TEXT, '') IS NOT NULL) AS business_name,
           arg_min(o.date_of_birth, list_position(e.merged_customer_ids, o.customer_id)) FILTER (WHERE nullif(o.date_of_birth::TEXT, '') IS NOT NULL) AS date_of_birth,
           arg_min(o.gender, list_position(e.merged_customer_ids, o.customer_id)) FILTER (WHERE nullif(o.gender::TEXT, '') IS NOT NULL) AS gender,
           arg_min(o.city, list_position(e.merged_customer_ids, o.customer_id)) FILTER (WHERE nullif(o.city::TEXT, '') IS NOT NULL) AS city,
           arg_min(o.country, list_position(e.merged_customer_ids, o.customer_id)) FILTER (WHERE nullif(o.country::TEXT, '') IS NOT NULL) AS country,
           arg_min(o.tags, list_position(e.merged_customer_ids, o.customer_id)) FILTER (WHERE nullif(o.tags::TEXT, '') IS NOT NULL) AS tags
    FROM merge_undo_customers o
    JOIN merge_events e ON e.merge_id = o.merge_id
    WHERE o.merge_id = $merge_id AND o.customer_id <> e.main_customer_id
) f
WHERE u.merge_id = $merge_id AND c.customer_id = u.customer_id;
