-- 0007: incremental matching (DESIGN.md, "Matching"; dedupe/scoring.py).
-- A dedupe run compares only the customers that are new or changed since the last one
-- against the whole base and against each other, with the model the last full run fitted.
-- For that the warehouse keeps what matching saw of every customer, and the model.

-- What matching saw of each customer, as its sources and stewards described it: taken when
-- the customer first appears and again when a source record or a steward changes it, never
-- because of a merge (a merged customer is still compared as itself, so merging now gives
-- the same clusters as merging once at the end).
CREATE TABLE match_features (
    customer_id      BIGINT NOT NULL,
    customer_type    TEXT NOT NULL,
    document_number  TEXT,                 -- upper-cased; NULL for placeholders (0000000)
    document_type    TEXT,
    document_check   TEXT,
    given_names      TEXT[],               -- folded tokens without particles
    surnames         TEXT[],
    name_tokens      TEXT[],
    date_of_birth    DATE,
    birth_date       TEXT,                 -- YYYY-MM-DD
    city             TEXT,                 -- folded
    business_tokens  TEXT[],               -- business name without its legal form, as words
    business_name    TEXT,
    phones           TEXT[],               -- E.164
    emails           TEXT[],               -- valid addresses, lower-case
    address          TEXT,                 -- the latest, folded
    taken_at         TIMESTAMP NOT NULL,
    run_id           BIGINT NOT NULL       -- the dedupe run that took it
);

-- The model every incremental run scores with, per customer type: fitted by the last full
-- run (m and u of its levels are that run's rows of match_levels).
CREATE TABLE match_models (
    customer_type    TEXT NOT NULL,
    model            TEXT NOT NULL,        -- unsupervised | supervised
    prior            DOUBLE NOT NULL,      -- chance that two customers taken at random are one
    customers        BIGINT NOT NULL,      -- customers of the type when fitted (term frequencies)
    pairs_fitted     BIGINT NOT NULL,
    run_id           BIGINT NOT NULL,      -- the dedupe run that fitted it
    fitted_at        TIMESTAMP NOT NULL
);

-- How many customers shared each first given name and first surname when the model was
-- fitted: the term frequencies scores use ("jorge garcia" agreeing says less than "yago pimenta").
CREATE TABLE match_name_counts (
    customer_type    TEXT NOT NULL,
    given            TEXT NOT NULL,
    surname          TEXT NOT NULL,
    name_count       BIGINT NOT NULL
);
