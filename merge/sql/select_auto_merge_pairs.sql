-- For every auto-merge cluster (survivor_groups), why it merges: its strongest pair and the
-- weakest probability among its pairs.
SELECT cluster_id AS group_id, arg_max(pair_id, match_probability) AS pair_id,
       max(match_probability) AS strongest, min(match_probability) AS weakest, count(*) AS pairs
FROM candidate_pairs
WHERE state = 'auto_merge' AND cluster_id IN (SELECT group_id FROM survivor_groups)
GROUP BY cluster_id;
