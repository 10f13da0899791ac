-- One merge, for unmerge: its main customer, merged customers, who, and whether it was undone.
SELECT merge_id, main_customer_id, merged_customer_ids, actor, reason, merged_at, unmerged_at, unmerged_by
FROM merge_events WHERE merge_id = $merge_id;
