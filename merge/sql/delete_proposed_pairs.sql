-- Before a dedupe run stores its pairs: the previous run's proposals (states auto_merge,
-- review, non_match) go; pairs a steward decided (accepted, rejected) and merged pairs stay.
DELETE FROM candidate_pairs WHERE state IN ('auto_merge', 'review', 'non_match');
