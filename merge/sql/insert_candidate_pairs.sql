-- The pairs of this dedupe run: `scored_pairs` (registered by dedupe/scoring.py) holds the
-- pairs it keeps with the fields and level labels each reached, and whether it compared
-- them (`compared`) or kept them from an earlier run. A pair a steward already decided keeps
-- its row. A pair the previous run proposed too keeps its id (previous_pairs), and its run
-- and time when not compared again; new pairs get ids from $first_pair_id on.
INSERT INTO candidate_pairs
SELECT coalesce(p.pair_id,
                $first_pair_id - 1 + row_number() OVER (PARTITION BY p.pair_id IS NULL
                                                        ORDER BY s.customer_id_l, s.customer_id_r)) AS pair_id,
       s.customer_id_l, s.customer_id_r, s.match_probability,
       map(s.level_fields, s.level_labels) AS levels,
       s.blocking_rules, s.state, s.cluster_id,
       CASE WHEN s.compared OR p.run_id IS NULL THEN $run_id ELSE p.run_id END AS run_id,
       CASE WHEN s.compared OR p.run_id IS NULL THEN $now ELSE p.scored_at END AS scored_at
FROM scored_pairs s
LEFT JOIN previous_pairs p USING (customer_id_l, customer_id_r)
ANTI JOIN candidate_pairs c USING (customer_id_l, customer_id_r);
