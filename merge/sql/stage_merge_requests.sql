-- The merges about to be applied (temp tables `merge_requests` and `merge_members`), from the
-- frames merge/merging.py registers as `merge_requests_in` and `merge_members_in`: one row per
-- merge (its main customer, the elements that move, who and why) and one per merged customer
-- (member_rank: the order in which merged customers fill the main customer's empty fields).
CREATE OR REPLACE TEMP TABLE merge_requests AS
SELECT merge_id, main_customer_id, elements, actor, reason, pair_id, match_probability, fill_missing,
       list_contains(elements, 'contacts') AS move_contacts,
       list_contains(elements, 'accounts') AS move_accounts,
       list_contains(elements, 'tickets') AS move_tickets
FROM merge_requests_in;
