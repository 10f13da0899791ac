-- 0010: a company's legal form in what matching sees of it (dedupe/comparisons.py,
-- "legal_form"): "Grupo Perdomo S.A.S." and "Grupo Perdomo Ltda." are two companies, however
-- alike their names and however many contact details they share. Features taken before
-- take the customer's legal form now (the next dedupe fits its model again anyway: its
-- comparisons changed).
ALTER TABLE match_features ADD COLUMN legal_form TEXT;   -- SAS, LTDA, ...; NULL for persons
UPDATE match_features SET legal_form = c.legal_form FROM customers c WHERE c.customer_id = match_features.customer_id;
