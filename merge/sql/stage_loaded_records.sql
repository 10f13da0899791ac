-- The rows that will be loaded (all but the refused), each with its record_key.
CREATE OR REPLACE TEMP TABLE loaded AS
SELECT $first_record_key - 1 + row_number() OVER (ORDER BY line) AS record_key, *
FROM planned WHERE identity_outcome <> 'refused';

