-- 0001: the warehouse's tables (DESIGN.md, "Warehouse").
-- Identifiers are allocated by the code (max + row_number) so that the same input gives
-- the same ids. No PRIMARY KEY / UNIQUE constraints: integrity is checked by the queries
-- in merge/sql/check_*.sql, which return offending rows (zero rows is a pass).

CREATE TABLE runs (
    run_id        BIGINT NOT NULL,
    command       TEXT NOT NULL,          -- ingest | dedupe | run | ...
    status        TEXT NOT NULL,          -- running | succeeded | failed
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    summary       JSON,                   -- counts per step
    error         TEXT
);

CREATE TABLE ingested_files (
    file_id          BIGINT NOT NULL,
    run_id           BIGINT NOT NULL,
    source_name      TEXT NOT NULL,
    kind             TEXT NOT NULL,       -- customers | accounts | tickets | attachments | relations
    file             TEXT NOT NULL,       -- absolute path when read
    sha256           TEXT NOT NULL,
    size_bytes       BIGINT NOT NULL,
    rows_read        BIGINT NOT NULL,
    rows_loaded      BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    ingested_at      TIMESTAMP NOT NULL
);

-- Every ingested row as received (raw) with its normalised form. One row per distinct
-- version of a source record: re-sending an identical row adds nothing.
CREATE TABLE source_records (
    record_key         BIGINT NOT NULL,
    run_id             BIGINT NOT NULL,
    source_name        TEXT NOT NULL,
    source_system      TEXT NOT NULL,
    source_record_id   TEXT NOT NULL,
    file               TEXT NOT NULL,
    line               BIGINT NOT NULL,
    raw                JSON NOT NULL,      -- {header: value} exactly as read
    content_hash       TEXT NOT NULL,
    customer_type      TEXT NOT NULL,      -- person | company
    document_type      TEXT,               -- canonical code (CC, NIT, CPF, ...)
    document_number    TEXT,               -- bare digits/letters
    document_check     TEXT NOT NULL,      -- valid | invalid | unchecked
    first_name         TEXT,               -- display forms (original spelling, tidied)
    middle_name        TEXT,
    last_name          TEXT,
    second_last_name   TEXT,
    business_name      TEXT,
    first_name_folded  TEXT,               -- case- and accent-folded, for comparison
    middle_name_folded TEXT,
    last_name_folded   TEXT,
    second_last_name_folded TEXT,
    business_name_folded TEXT,
    business_name_core TEXT,               -- folded, legal form removed
    legal_form         TEXT,
    date_of_birth      DATE,
    gender             TEXT,
    emails             TEXT[],             -- normalised (lower-case)
    phones             TEXT[],             -- E.164
    address            TEXT,
    address_folded     TEXT,
    city               TEXT,
    city_folded        TEXT,
    country            TEXT,
    tags               TEXT,
    updated_at         TIMESTAMP,
    flags              TEXT[],             -- e.g. document_invalid, email_invalid, phone_invalid
    identity_key       TEXT,               -- customer_type|document_type|document_number, when usable
    identity_outcome   TEXT NOT NULL,      -- new | matched_skip | matched_replace | linked | relinked
    customer_id        BIGINT NOT NULL,    -- the customer it was attached to at ingest
    ingested_at        TIMESTAMP NOT NULL
);

CREATE TABLE customers (
    customer_id        BIGINT NOT NULL,
    customer_type      TEXT NOT NULL,
    document_type      TEXT,
    document_number    TEXT,
    document_check     TEXT NOT NULL,
    identity_key       TEXT,
    first_name         TEXT,
    middle_name        TEXT,
    last_name          TEXT,
    second_last_name   TEXT,
    business_name      TEXT,
    first_name_folded  TEXT,
    middle_name_folded TEXT,
    last_name_folded   TEXT,
    second_last_name_folded TEXT,
    business_name_folded TEXT,
    business_name_core TEXT,
    legal_form         TEXT,
    date_of_birth      DATE,
    gender             TEXT,
    city               TEXT,
    city_folded        TEXT,
    country            TEXT,
    tags               TEXT,
    status             TEXT NOT NULL,      -- active | disabled | merged | deleted
    merged_into        BIGINT,
    assigned_user      TEXT,
    source_updated_at  TIMESTAMP,          -- the newest updated_at its sources gave
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);

-- Which source records each customer came from: one row per source record.
CREATE TABLE customer_sources (
    source_system      TEXT NOT NULL,
    source_record_id   TEXT NOT NULL,
    customer_id        BIGINT NOT NULL,
    record_key         BIGINT NOT NULL,    -- the latest version in source_records
    linked_at          TIMESTAMP NOT NULL
);

CREATE TABLE contact_details (
    contact_id         BIGINT NOT NULL,
    customer_id        BIGINT NOT NULL,
    kind               TEXT NOT NULL,      -- phone | email | address | facebook | instagram | linkedin | telegram | whatsapp
    value              TEXT NOT NULL,      -- as received (display)
    value_norm         TEXT NOT NULL,      -- E.164, lower-case e-mail, folded address
    country_code       INTEGER,            -- phones
    area_code          TEXT,
    number             TEXT,
    line_type          TEXT,               -- mobile | fixed | unknown
    city               TEXT,               -- addresses
    country            TEXT,
    is_valid           BOOLEAN NOT NULL,
    source_system      TEXT,
    source_record_id   TEXT,
    created_at         TIMESTAMP NOT NULL
);

CREATE TABLE accounts (
    account_id         BIGINT NOT NULL,
    customer_id        BIGINT NOT NULL,
    source_system      TEXT NOT NULL,
    source_record_id   TEXT NOT NULL,
    account_number     TEXT NOT NULL,
    account_type       TEXT,
    status             TEXT,
    opened_at          DATE,
    created_at         TIMESTAMP NOT NULL
);

CREATE TABLE tickets (
    ticket_id          BIGINT NOT NULL,
    customer_id        BIGINT NOT NULL,
    source_system      TEXT NOT NULL,
    source_record_id   TEXT NOT NULL,
    ticket_number      TEXT NOT NULL,
    status             TEXT,
    campaign           TEXT,
    channel            TEXT,
    assigned_agent     TEXT,
    created_at         TIMESTAMP
);

CREATE TABLE attachments (
    attachment_id      BIGINT NOT NULL,
    ticket_id          BIGINT NOT NULL,
    source_system      TEXT NOT NULL,
    ticket_number      TEXT NOT NULL,
    file_name          TEXT NOT NULL
);

CREATE TABLE customer_relations (
    relation_id        BIGINT NOT NULL,
    customer_id        BIGINT NOT NULL,
    related_customer_id BIGINT NOT NULL,
    tags               TEXT,
    source_system      TEXT,
    source_record_id   TEXT,
    related_source_record_id TEXT,
    created_at         TIMESTAMP NOT NULL
);

CREATE TABLE candidate_pairs (
    pair_id            BIGINT NOT NULL,
    customer_id_l      BIGINT NOT NULL,    -- always the smaller id
    customer_id_r      BIGINT NOT NULL,
    match_probability  DOUBLE NOT NULL,
    levels             MAP(TEXT, TEXT),    -- field -> comparison level label reached
    blocking_rules     TEXT[],             -- the rules that proposed the pair
    state              TEXT NOT NULL,      -- auto_merged | review | accepted | rejected | non_match
    cluster_id         BIGINT,
    run_id             BIGINT,
    scored_at          TIMESTAMP NOT NULL
);

CREATE TABLE review_decisions (
    decision_id        BIGINT NOT NULL,
    pair_id            BIGINT NOT NULL,
    customer_id_l      BIGINT NOT NULL,
    customer_id_r      BIGINT NOT NULL,
    decision           TEXT NOT NULL,      -- merge | not_duplicate | skip
    main_customer_id   BIGINT,
    steward            TEXT NOT NULL,
    report_file        TEXT,
    decided_at         TIMESTAMP NOT NULL
);

CREATE TABLE merge_events (
    merge_id           BIGINT NOT NULL,
    main_customer_id   BIGINT NOT NULL,
    merged_customer_ids BIGINT[] NOT NULL,
    elements           TEXT[] NOT NULL,    -- contacts, accounts, tickets
    actor              TEXT NOT NULL,      -- auto | a steward's name
    reason             TEXT NOT NULL,      -- "manual" or the candidate pair and probability
    pair_id            BIGINT,
    match_probability  DOUBLE,
    undo               JSON,               -- what is needed to restore the warehouse exactly
    merged_at          TIMESTAMP NOT NULL,
    unmerged_at        TIMESTAMP,
    unmerged_by        TEXT
);

-- Bad input is data: every row or file that could not be loaded, with an actionable reason.
CREATE TABLE quarantine (
    quarantine_id      BIGINT NOT NULL,
    run_id             BIGINT NOT NULL,
    source_name        TEXT NOT NULL,
    kind               TEXT NOT NULL,      -- customers | accounts | ... 
    file               TEXT NOT NULL,
    line               BIGINT,             -- NULL when the whole file could not be read
    raw                TEXT,
    reason             TEXT NOT NULL,
    quarantined_at     TIMESTAMP NOT NULL
);
