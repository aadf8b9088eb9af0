-- Supply grants (数据供给): a department supplies indicators for a region, once an admin approves.
CREATE TABLE supplies (
    id              INTEGER   NOT NULL PRIMARY KEY,
    department      TEXT      NOT NULL,
    requested_by    TEXT      NOT NULL,
    region_code     TEXT      NOT NULL REFERENCES regions (code),
    indicators      TEXT      NOT NULL,
    purpose         TEXT      NOT NULL,
    source_system   TEXT      NOT NULL,
    refresh         TEXT      NOT NULL,
    status          TEXT      NOT NULL CHECK (status = 'pending' OR status = 'approved' OR status = 'rejected' OR status = 'revoked'),
    decided_by      TEXT,
    decided_at      TIMESTAMP,
    decision_reason TEXT,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX supplies_department ON supplies (department, id);

-- The latest value a supplier gave for a village's indicator and period (one supplier per
-- indicator and region at a time, so one row per cell).
CREATE TABLE supplied_values (
    region_code    TEXT      NOT NULL REFERENCES regions (code),
    indicator_code TEXT      NOT NULL,
    period         TEXT      NOT NULL,
    supply_id      BIGINT    NOT NULL REFERENCES supplies (id),
    value          TEXT      NOT NULL,
    as_of          DATE      NOT NULL,
    received_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (region_code, indicator_code, period)
);
CREATE INDEX supplied_values_supply ON supplied_values (supply_id, period);

-- A supplied value in an entry has source `supplied` until the clerk confirms it (`confirmed`).
-- SQLite cannot alter a CHECK: the table is rebuilt as in 2026-12-09-000002.
CREATE TABLE data_values_rebuilt (
    region_code    TEXT      NOT NULL REFERENCES regions (code),
    indicator_code TEXT      NOT NULL,
    period         TEXT      NOT NULL,
    value          TEXT      NOT NULL,
    source         TEXT      NOT NULL
        CHECK (source = 'entry' OR source = 'import' OR source = 'carried_forward' OR source = 'api' OR source = 'register'
               OR source = 'supplied' OR source = 'confirmed'),
    revision       BIGINT    NOT NULL,
    entered_by     TEXT      NOT NULL,
    entered_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (region_code, indicator_code, period)
);
INSERT INTO data_values_rebuilt
SELECT region_code, indicator_code, period, value, source, revision, entered_by, entered_at FROM data_values;
DROP TABLE data_values;
ALTER TABLE data_values_rebuilt RENAME TO data_values;
CREATE INDEX data_values_indicator ON data_values (indicator_code, period);
