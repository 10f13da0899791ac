-- Auto-merge clusters the auto-merge step left waiting (a customer of theirs is no longer
-- active since they were scored): the next dedupe scores them again.
SELECT count(DISTINCT cluster_id) FROM candidate_pairs WHERE state = 'auto_merge';
