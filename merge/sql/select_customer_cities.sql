-- The cities customers give, each folded as written once (dedupe/cities.py maps each to the
-- name matching compares it by; stage_fresh_features.sql reads the result as `city_keys`).
SELECT DISTINCT city_folded FROM customers WHERE nullif(city_folded, '') IS NOT NULL ORDER BY city_folded;
