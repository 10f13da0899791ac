-- 0013: a supervised model is the unsupervised one with a steward layer for its review band
-- (dedupe/model.py, fit_steward): a logistic regression of the stewards' decisions, which
-- decides the probability of the pairs the unsupervised model puts in the band. Its weights,
-- per dedupe run that scored with it, as match_levels holds m and u.
CREATE TABLE match_steward_weights (
    run_id         BIGINT NOT NULL,
    customer_type  TEXT NOT NULL,
    field          TEXT NOT NULL,          -- a comparison field, or "(unsupervised log-odds)", "(intercept)"
    level          INTEGER,                -- the field's level (NULL for the other two)
    label          TEXT,
    weight         DOUBLE NOT NULL,        -- added to the log-odds of a merge (natural log)
    decisions      BIGINT NOT NULL         -- the steward decisions it was learnt from
);
-- A supervised model kept from before was naive Bayes on the decided pairs alone, which took
-- the band's pairs for all pairs: the next dedupe fits the model again.
DELETE FROM match_models WHERE model = 'supervised';
