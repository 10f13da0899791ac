-- Rows refused by the identity rule (on_existing = fail) go to quarantine, naming the existing customer.
INSERT INTO quarantine
SELECT $first_quarantine_id - 1 + row_number() OVER (ORDER BY line), $run_id, $source_name, 'customers', $file, line, raw,
       'identity ' || document_type || ' ' || document_number || ' already belongs to customer ' || customer_id
           || ' (on_existing = fail; use skip or replace to load it)',
       $now
FROM planned WHERE identity_outcome = 'refused';
