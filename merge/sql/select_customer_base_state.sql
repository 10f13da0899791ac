-- What matching sees of the customer base, as one text: the customers (status, merges,
-- updates), their contact details, their source records and the stewards' decisions. The
-- same text as after the last consolidation means scoring, merging and the review report
-- would only do the same again (dedupe is deterministic), so the run skips them.
SELECT concat_ws('|',
    (SELECT count(*) || ':' || coalesce(bit_xor(hash(customer_id, status, merged_into, updated_at)), 0) FROM customers),
    (SELECT count(*) || ':' || coalesce(bit_xor(hash(contact_id, customer_id, value_norm)), 0) FROM contact_details),
    (SELECT count(*) || ':' || coalesce(bit_xor(hash(source_system, source_record_id, customer_id)), 0) FROM customer_sources),
    (SELECT count(*) || ':' || coalesce(bit_xor(hash(pair_id, state)), 0) FROM candidate_pairs
     WHERE state IN ('accepted', 'rejected')),
    (SELECT count(*) FROM review_decisions)
);
