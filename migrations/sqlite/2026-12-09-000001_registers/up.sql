-- 台账: register types in the registry (versioned like indicators), the village's records, and
-- every change to a record. Sensitive values (ID numbers, health, disability) are stored sealed
-- (AES-256-GCM, key id per value) in `sealed`; `key_hash` and `person_hash` are keyed hashes
-- (HMAC-SHA256) that find a record or a person without decrypting anything.
ALTER TABLE indicators ADD COLUMN register_aggregate TEXT;

CREATE TABLE registers (
    code            TEXT      NOT NULL,
    version         INTEGER   NOT NULL,
    name            TEXT      NOT NULL,
    normalized_name TEXT      NOT NULL,
    unit            TEXT      NOT NULL,
    -- The columns, the key and the description, as JSON.
    definition      TEXT      NOT NULL,
    status          TEXT      NOT NULL,
    created_by      TEXT      NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    change_note     TEXT,
    PRIMARY KEY (code, version)
);

CREATE TABLE register_records (
    id            INTEGER   NOT NULL PRIMARY KEY,
    register_code TEXT      NOT NULL,
    region_code   TEXT      NOT NULL,
    -- 村民小组 / 网格: below the village, not a level of the hierarchy.
    group_name    TEXT,
    key_hash      TEXT      NOT NULL,
    person_hash   TEXT,
    plain         TEXT      NOT NULL,
    sealed        TEXT      NOT NULL,
    -- Null: on the list since before the village kept it here.
    opened_on     DATE,
    closed_on     DATE,
    close_reason  TEXT,
    revision      BIGINT    NOT NULL,
    created_by    TEXT      NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_by    TEXT      NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
-- A county's open records counted by village from the index alone (docs/benchmarks.md).
CREATE INDEX register_records_village ON register_records (register_code, region_code, closed_on, opened_on);
-- The key within the village: a village's records sit together, so an import of its list writes
-- neighbouring index pages, not pages spread over the whole county's index.
CREATE INDEX register_records_key ON register_records (register_code, region_code, key_hash);
CREATE INDEX register_records_person ON register_records (register_code, person_hash);

CREATE TABLE register_record_events (
    id          INTEGER   NOT NULL PRIMARY KEY,
    record_id   BIGINT    NOT NULL,
    revision    BIGINT    NOT NULL,
    action      TEXT      NOT NULL,
    actor       TEXT      NOT NULL,
    reason      TEXT,
    -- [{column, old, new}], sensitive values masked.
    changes     TEXT      NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX register_record_events_record ON register_record_events (record_id, id);
