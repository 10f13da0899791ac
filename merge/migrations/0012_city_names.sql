-- 0012: matching compares a city by one name per city (dedupe/cities.py): "Santiago de Cali"
-- and "Cali", "São Paulo - SP" and "São Paulo", "B/quilla" and "Barranquilla" are one city.
-- The features kept with a city are taken again by the next dedupe run, so that old and new
-- customers are compared alike (their customers are compared again, with the kept model).
DELETE FROM match_features WHERE city IS NOT NULL;
