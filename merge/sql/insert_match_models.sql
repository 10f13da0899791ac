-- The model a full dedupe run fitted (`fitted_models`, registered by dedupe/scoring.py);
-- its m and u are the run's rows of match_levels.
INSERT INTO match_models BY NAME SELECT * FROM fitted_models;
