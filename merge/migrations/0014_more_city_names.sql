-- 0014: more of the cities' official names are one name per city (dedupe/cities.py):
-- "Ciudad de México, D.F.", "Santa Fe de Bogotá D.C.", "Cartagena de Indias D.T. y C.",
-- "Santa Marta D.T.C.H.". The features kept with one of them as a city of its own are taken
-- again by the next dedupe run, by the city's one name (their customers compared again, with
-- the kept model).
DELETE FROM match_features
WHERE city IN ('ciudad de mexico d f', 'mexico distrito federal', 'santa fe de bogota d c',
               'santafe de bogota d c', 'cartagena de indias d t y c', 'santa marta d t c h');
