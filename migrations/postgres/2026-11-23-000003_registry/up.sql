-- The indicator registry (指标库): every version of every indicator is kept.
CREATE TABLE indicators (
    code             TEXT      NOT NULL,
    version          INTEGER   NOT NULL,
    name             TEXT      NOT NULL,
    normalized_name  TEXT      NOT NULL,
    description      TEXT      NOT NULL,
    unit             TEXT      NOT NULL,
    value_type       TEXT      NOT NULL,
    min_value        DOUBLE PRECISION,
    max_value        DOUBLE PRECISION,
    required         BOOLEAN   NOT NULL,
    category         TEXT      NOT NULL,
    frequency        TEXT      NOT NULL,
    aggregation      TEXT      NOT NULL,
    sensitivity      TEXT      NOT NULL,
    owner_department TEXT      NOT NULL,
    legal_basis      TEXT      NOT NULL,
    formula          TEXT,
    status           TEXT      NOT NULL,
    created_by       TEXT      NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    change_note      TEXT,
    -- Position in the one form: sections and rows keep the catalogue's order.
    sort_order       INTEGER   NOT NULL,
    PRIMARY KEY (code, version)
);
CREATE INDEX indicators_normalized_name ON indicators (normalized_name);

-- Validation rules (校验规则); the current definition only (changes are audited).
CREATE TABLE rules (
    code           TEXT      NOT NULL PRIMARY KEY,
    name           TEXT      NOT NULL,
    expression     TEXT      NOT NULL,
    severity       TEXT      NOT NULL CHECK (severity IN ('error', 'warning')),
    message        TEXT      NOT NULL,
    tolerance      DOUBLE PRECISION NOT NULL,
    missing_as_zero BOOLEAN  NOT NULL,
    active         BOOLEAN   NOT NULL,
    updated_by     TEXT      NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

-- One row per cell (village × indicator × period), long format.
CREATE TABLE data_values (
    region_code    TEXT      NOT NULL REFERENCES regions (code),
    indicator_code TEXT      NOT NULL,
    period         TEXT      NOT NULL,
    value          TEXT      NOT NULL,
    source         TEXT      NOT NULL CHECK (source IN ('entry', 'import', 'carried_forward', 'api')),
    revision       BIGINT    NOT NULL,
    entered_by     TEXT      NOT NULL,
    entered_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (region_code, indicator_code, period)
);
CREATE INDEX data_values_indicator ON data_values (indicator_code, period);
