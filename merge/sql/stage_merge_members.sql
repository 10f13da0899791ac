-- See stage_merge_requests.sql.
CREATE OR REPLACE TEMP TABLE merge_members AS
SELECT m.merge_id, r.main_customer_id, m.customer_id, m.member_rank
FROM merge_members_in m JOIN merge_requests r USING (merge_id);
