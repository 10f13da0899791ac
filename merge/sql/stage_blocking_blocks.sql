-- Blocks: customers of one type sharing one key of one rule (temp table `blocking_blocks`).
-- A block larger than its rule's maximum ($max_sizes[rule_no + 1]) is a value too common to
-- mean anything (a call centre's phone, a shop's shared mailbox, a very common name): it is
-- kept here, flagged oversized, and gives no pairs.
CREATE OR REPLACE TEMP TABLE blocking_blocks AS
SELECT row_number() OVER () AS block_id, rule_no, customer_type, key, count(*) AS customers,
       count(*) > $max_sizes[rule_no + 1] AS oversized
FROM blocking_keys
GROUP BY rule_no, customer_type, key
HAVING count(*) > 1;
