-- 0006: who did what to the customer base (DESIGN.md, "The domain"; roles in unifica.toml).
-- One row per action a person (or the nightly run) took or was refused: the action, the
-- user and role, the customers it touched, what they were before and after (JSON), and the
-- outcome. A refusal is recorded in a transaction of its own (the refused action changes
-- nothing); a change is recorded in the change's own transaction.
CREATE TABLE audit_log (
    audit_id      BIGINT NOT NULL,
    acted_at      TIMESTAMP NOT NULL,
    user_name     TEXT NOT NULL,
    role          TEXT NOT NULL,
    action        TEXT NOT NULL,          -- add | edit | contacts | relations | assign | ... (unifica/roles.py)
    command       TEXT NOT NULL,          -- what was asked, e.g. "customer edit 12 --set city=Cali"
    customer_ids  BIGINT[],               -- the customers it touched or would have touched
    outcome       TEXT NOT NULL,          -- done | refused
    reason        TEXT,                   -- why it was refused
    before        JSON,                   -- what changed, as it was
    after         JSON                    -- and as it became
);
