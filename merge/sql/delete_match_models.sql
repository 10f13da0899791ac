-- A full dedupe run fits the model again: the previous one, and its name counts, go.
DELETE FROM match_models;
