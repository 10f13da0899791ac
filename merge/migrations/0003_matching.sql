-- 0003: what matching leaves behind (DESIGN.md, "Matching").
-- candidate_pairs.state gains 'auto_merge': at or above the auto-merge threshold and in a
-- cluster, waiting for the merge step (which makes it 'auto_merged').

-- The model each dedupe run scored with: per customer type, field and level, the share of
-- matches (m) and of non-matches (u) at that level. log(m/u) is the evidence the level
-- gives; with candidate_pairs.levels it explains a pair's match_probability field by field.
CREATE TABLE match_levels (
    run_id         BIGINT NOT NULL,
    customer_type  TEXT NOT NULL,
    model          TEXT NOT NULL,          -- unsupervised | supervised
    field          TEXT NOT NULL,
    level          INTEGER NOT NULL,       -- 0 = strongest agreement
    label          TEXT NOT NULL,
    m_probability  DOUBLE NOT NULL,
    u_probability  DOUBLE NOT NULL
);

-- The surviving customer of every source record, following merges, and its cluster: before
-- its cluster is merged, every record of an auto-merge cluster shares the cluster id (the
-- cluster's smallest customer id); otherwise the cluster id is the customer id.
CREATE OR REPLACE VIEW record_resolution AS
WITH clustered AS (
    SELECT DISTINCT customer_id, cluster_id FROM (
        SELECT customer_id_l AS customer_id, cluster_id FROM candidate_pairs WHERE state = 'auto_merge'
        UNION ALL
        SELECT customer_id_r, cluster_id FROM candidate_pairs WHERE state = 'auto_merge'
    )
)
SELECT cs.source_system, cs.source_record_id, s.surviving_id AS customer_id,
       coalesce(c.cluster_id, s.surviving_id) AS cluster_id
FROM customer_sources cs
JOIN customer_survivors s USING (customer_id)
LEFT JOIN clustered c ON c.customer_id = s.surviving_id;
