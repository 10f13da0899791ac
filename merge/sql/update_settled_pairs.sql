-- A pair a merge or a steward settled (auto_merged, accepted, rejected) keeps its state, but
-- when this dedupe run compared it again (one of its customers changed) it takes the new
-- probability, and the new levels and rules when it kept them (`scored_pairs`, registered by
-- dedupe/scoring.py; no levels: scored below review, the old levels stay).
UPDATE candidate_pairs c SET
    match_probability = s.match_probability,
    levels = CASE WHEN s.level_labels IS NULL THEN c.levels ELSE map(s.level_fields, s.level_labels) END,
    blocking_rules = s.blocking_rules,
    run_id = $run_id,
    scored_at = $now
FROM scored_pairs s
WHERE s.compared
  AND c.customer_id_l = s.customer_id_l AND c.customer_id_r = s.customer_id_r
  AND c.state NOT IN ('auto_merge', 'review', 'non_match');
