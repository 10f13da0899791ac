-- The pairs earlier dedupe runs scored that an incremental run keeps (it compares only pairs
-- with a new or changed customer, `fresh_features`): with their probability, levels and
-- rules, for clustering them with the new ones. A pair a steward rejected is not among them
-- (it is a cannot-link), nor a proposal with a changed customer (compared again) or with a
-- customer no longer active or merged (disabled, deleted).
SELECT p.customer_id_l, p.customer_id_r, p.match_probability, p.state,
       map_keys(p.levels) AS level_fields, map_values(p.levels) AS level_labels, p.blocking_rules
FROM candidate_pairs p
JOIN customers l ON l.customer_id = p.customer_id_l
JOIN customers r ON r.customer_id = p.customer_id_r
WHERE p.state <> 'rejected'
  AND l.status IN ('active', 'merged') AND r.status IN ('active', 'merged')
  AND ($keep_proposals OR p.state NOT IN ('auto_merge', 'review', 'non_match'))
  AND NOT (p.state IN ('auto_merge', 'review', 'non_match')
           AND (p.customer_id_l IN (SELECT customer_id FROM fresh_features)
                OR p.customer_id_r IN (SELECT customer_id FROM fresh_features)))
ORDER BY p.customer_id_l, p.customer_id_r;
