-- Groups of customers to choose a main customer in (temp table `survivor_groups`), from the
-- frame merge/survivorship.py registers as `survivor_groups_in` (group_id, customer_id).
CREATE OR REPLACE TEMP TABLE survivor_groups AS SELECT group_id, customer_id FROM survivor_groups_in;
