-- This warehouse's id (warehouse_info, migration 0005): every review report carries it.
SELECT warehouse_id FROM warehouse_info;
