-- 0004: what a merge keeps so that it can be undone exactly (DESIGN.md, "Merge").
-- Before a merge changes a row, the row as it was goes into the merge's undo table, tagged with
-- the merge's id: the main and merged customers, the contact details, accounts and tickets
-- that move, the relations that are re-pointed or dropped, the candidate pairs whose state
-- changes. `unifica unmerge` deletes those rows' current versions and puts the saved ones
-- back. The undo tables have their table's columns, in its order, after merge_id: a
-- migration that adds a column to one of these tables adds it to its undo table too.
-- merge_events.undo names the undo tables and how many rows each holds for the merge.
CREATE TABLE merge_undo_customers AS SELECT CAST(NULL AS BIGINT) AS merge_id, * FROM customers LIMIT 0;
CREATE TABLE merge_undo_contact_details AS SELECT CAST(NULL AS BIGINT) AS merge_id, * FROM contact_details LIMIT 0;
CREATE TABLE merge_undo_accounts AS SELECT CAST(NULL AS BIGINT) AS merge_id, * FROM accounts LIMIT 0;
CREATE TABLE merge_undo_tickets AS SELECT CAST(NULL AS BIGINT) AS merge_id, * FROM tickets LIMIT 0;
CREATE TABLE merge_undo_customer_relations AS SELECT CAST(NULL AS BIGINT) AS merge_id, * FROM customer_relations LIMIT 0;
CREATE TABLE merge_undo_candidate_pairs AS SELECT CAST(NULL AS BIGINT) AS merge_id, * FROM candidate_pairs LIMIT 0;

