-- 0008: contact details too common to say who a customer is (dedupe/scoring.py).
-- A phone number or e-mail address that more customers give than a household or an office
-- would share (a call centre's own phone typed in when the caller gave none) is not a
-- customer's own: comparisons ignore it, as blocking already did. Counted when a full dedupe
-- run fits the model and kept with it, so that incremental runs compare as that run did.
CREATE TABLE match_common_contacts (
    contact          TEXT NOT NULL,        -- E.164 phone number or e-mail address
    customers        BIGINT NOT NULL       -- customers giving it when the model was fitted
);
