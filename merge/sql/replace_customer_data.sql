-- on_existing = replace: the customer takes the data of its newest row in this file (by the
-- row's own updated_at, then by line), field by field: a field the row gives replaces the
-- customer's when no other source record of the customer gives that field with a later
-- updated_at (f, from source_records). So a customer ends with the newest value of every
-- field whatever order its records arrive in: the newest row leaving a field empty keeps the
-- value an older one gave. A row without updated_at gives only fields no dated record gave
-- (among undated ones, the last to arrive wins).
UPDATE customers c SET
    document_check = CASE WHEN (p.document_check IS NOT NULL AND (f.document_check_at IS NULL OR p.updated_at >= f.document_check_at)) THEN p.document_check ELSE c.document_check END,
    first_name = CASE WHEN (p.first_name IS NOT NULL AND (f.first_name_at IS NULL OR p.updated_at >= f.first_name_at)) THEN p.first_name ELSE c.first_name END,
    first_name_folded = CASE WHEN (p.first_name IS NOT NULL AND (f.first_name_at IS NULL OR p.updated_at >= f.first_name_at)) THEN p.first_name_folded ELSE c.first_name_folded END,
    middle_name = CASE WHEN (p.middle_name IS NOT NULL AND (f.middle_name_at IS NULL OR p.updated_at >= f.middle_name_at)) THEN p.middle_name ELSE c.middle_name END,
    middle_name_folded = CASE WHEN (p.middle_name IS NOT NULL AND (f.middle_name_at IS NULL OR p.updated_at >= f.middle_name_at)) THEN p.middle_name_folded ELSE c.middle_name_folded END,
    last_name = CASE WHEN (p.last_name IS NOT NULL AND (f.last_name_at IS NULL OR p.updated_at >= f.last_name_at)) THEN p.last_name ELSE c.last_name END,
    last_name_folded = CASE WHEN (p.last_name IS NOT NULL AND (f.last_name_at IS NULL OR p.updated_at >= f.last_name_at)) THEN p.last_name_folded ELSE c.last_name_folded END,
    second_last_name = CASE WHEN (p.second_last_name IS NOT NULL AND (f.second_last_name_at IS NULL OR p.updated_at >= f.second_last_name_at)) THEN p.second_last_name ELSE c.second_last_name END,
    second_last_name_folded = CASE WHEN (p.second_last_name IS NOT NULL AND (f.second_last_name_at IS NULL OR p.updated_at >= f.second_last_name_at)) THEN p.second_last_name_folded ELSE c.second_last_name_folded END,
    business_name = CASE WHEN (p.business_name IS NOT NULL AND (f.business_name_at IS NULL OR p.updated_at >= f.business_name_at)) THEN p.business_name ELSE c.business_name END,
    business_name_folded = CASE WHEN (p.business_name IS NOT NULL AND (f.business_name_at IS NULL OR p.updated_at >= f.business_name_at)) THEN p.business_name_folded ELSE c.business_name_folded END,
    business_name_core = CASE WHEN (p.business_name IS NOT NULL AND (f.business_name_at IS NULL OR p.updated_at >= f.business_name_at)) THEN p.business_name_core ELSE c.business_name_core END,
    legal_form = CASE WHEN (p.business_name IS NOT NULL AND (f.business_name_at IS NULL OR p.updated_at >= f.business_name_at)) THEN p.legal_form ELSE c.legal_form END,
    date_of_birth = CASE WHEN (p.date_of_birth IS NOT NULL AND (f.date_of_birth_at IS NULL OR p.updated_at >= f.date_of_birth_at)) THEN p.date_of_birth ELSE c.date_of_birth END,
    gender = CASE WHEN (p.gender IS NOT NULL AND (f.gender_at IS NULL OR p.updated_at >= f.gender_at)) THEN p.gender ELSE c.gender END,
    city = CASE WHEN (p.city IS NOT NULL AND (f.city_at IS NULL OR p.updated_at >= f.city_at)) THEN p.city ELSE c.city END,
    city_folded = CASE WHEN (p.city IS NOT NULL AND (f.city_at IS NULL OR p.updated_at >= f.city_at)) THEN p.city_folded ELSE c.city_folded END,
    country = CASE WHEN (p.country IS NOT NULL AND (f.country_at IS NULL OR p.updated_at >= f.country_at)) THEN p.country ELSE c.country END,
    tags = CASE WHEN (p.tags IS NOT NULL AND (f.tags_at IS NULL OR p.updated_at >= f.tags_at)) THEN p.tags ELSE c.tags END,
    source_updated_at = greatest(c.source_updated_at, p.updated_at),
    updated_at = $now
FROM (
    SELECT * FROM planned WHERE identity_outcome IN ('matched_replace', 'updated')
    QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY updated_at DESC NULLS LAST, line DESC) = 1
) p
LEFT JOIN (
    SELECT cs.customer_id,
           max(r.updated_at) FILTER (WHERE r.document_check IS NOT NULL) AS document_check_at,
           max(r.updated_at) FILTER (WHERE r.first_name IS NOT NULL) AS first_name_at,
           max(r.updated_at) FILTER (WHERE r.middle_name IS NOT NULL) AS middle_name_at,
           max(r.updated_at) FILTER (WHERE r.last_name IS NOT NULL) AS last_name_at,
           max(r.updated_at) FILTER (WHERE r.second_last_name IS NOT NULL) AS second_last_name_at,
           max(r.updated_at) FILTER (WHERE r.business_name IS NOT NULL) AS business_name_at,
           max(r.updated_at) FILTER (WHERE r.date_of_birth IS NOT NULL) AS date_of_birth_at,
           max(r.updated_at) FILTER (WHERE r.gender IS NOT NULL) AS gender_at,
           max(r.updated_at) FILTER (WHERE r.city IS NOT NULL) AS city_at,
           max(r.updated_at) FILTER (WHERE r.country IS NOT NULL) AS country_at,
           max(r.updated_at) FILTER (WHERE r.tags IS NOT NULL) AS tags_at
    FROM customer_sources cs
    JOIN source_records r ON r.record_key = cs.record_key
    WHERE cs.customer_id IN (SELECT customer_id FROM planned WHERE identity_outcome IN ('matched_replace', 'updated'))
    GROUP BY cs.customer_id
) f ON f.customer_id = p.customer_id
WHERE c.customer_id = p.customer_id;
