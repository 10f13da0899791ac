-- Before a dedupe run keeps the features it took (fresh_features): their previous version goes.
DELETE FROM match_features WHERE customer_id IN (SELECT customer_id FROM fresh_features);
