-- One village's form for one period: its workflow state and optimistic-concurrency revision.
CREATE TABLE entries (
    region_code TEXT      NOT NULL REFERENCES regions (code),
    period      TEXT      NOT NULL,
    status      TEXT      NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'approved')),
    revision    BIGINT    NOT NULL,
    updated_by  TEXT      NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (region_code, period)
);
CREATE INDEX entries_period_status ON entries (period, status);

-- Append-only: every cell change, who, when, why, from where.
CREATE TABLE value_audit (
    id             INTEGER   NOT NULL PRIMARY KEY,
    region_code    TEXT      NOT NULL,
    period         TEXT      NOT NULL,
    indicator_code TEXT      NOT NULL,
    old_value      TEXT,
    new_value      TEXT,
    source         TEXT      NOT NULL,
    actor          TEXT      NOT NULL,
    reason         TEXT,
    revision       BIGINT    NOT NULL,
    changed_at     TIMESTAMP NOT NULL
);
CREATE INDEX value_audit_entry ON value_audit (region_code, period, id);

-- Workflow events: submit, approve, return, reopen, carry forward.
CREATE TABLE entry_events (
    id          INTEGER   NOT NULL PRIMARY KEY,
    region_code TEXT      NOT NULL,
    period      TEXT      NOT NULL,
    action      TEXT      NOT NULL,
    actor       TEXT      NOT NULL,
    comment     TEXT,
    revision    BIGINT    NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX entry_events_entry ON entry_events (region_code, period, id);
