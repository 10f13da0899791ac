-- 0011: birth dates too common to say who a customer is (dedupe/scoring.py). A date far more
-- customers give than any real date of birth would (a form's default, "1900-01-01") is a
-- placeholder: comparisons take it as missing (blocking gives no pairs on a date more than 20
-- customers share). Counted when a full dedupe run fits the model and kept with it, so that
-- incremental runs compare as that run did.
CREATE TABLE match_common_birth_dates (
    customer_type    TEXT NOT NULL,
    birth_date       TEXT NOT NULL,        -- YYYY-MM-DD
    customers        BIGINT NOT NULL       -- customers of the type giving it when the model was fitted
);
