-- 0009: how rare each word of a person's name is (dedupe/comparisons.py, "same name").
-- Agreeing on all of "jorge andres pineda mosquera" says far more than agreeing on "luz
-- suarez": the chance that another customer holds a whole name is taken as the product of
-- its words' shares. Counted when a full dedupe run fits the model and kept with it, so that
-- incremental runs score as that run did.
CREATE TABLE match_name_words (
    customer_type    TEXT NOT NULL,
    word             TEXT NOT NULL,
    share            DOUBLE NOT NULL       -- of the type's customers whose name holds the word
);
