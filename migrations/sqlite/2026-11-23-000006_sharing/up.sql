-- Data requests (报表准入): a department asks for indicators over a region and periods, for a
-- purpose and on a legal basis; an admin approves, rejects or later revokes.
CREATE TABLE data_requests (
    id              INTEGER   NOT NULL PRIMARY KEY,
    title           TEXT      NOT NULL,
    purpose         TEXT      NOT NULL,
    legal_basis     TEXT      NOT NULL,
    department      TEXT      NOT NULL,
    requested_by    TEXT      NOT NULL,
    region_code     TEXT      NOT NULL REFERENCES regions (code),
    indicators      TEXT      NOT NULL,
    periods         TEXT,
    frequency       TEXT,
    start_period    TEXT,
    expires_at      TIMESTAMP NOT NULL,
    status          TEXT      NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'revoked')),
    decided_by      TEXT,
    decided_at      TIMESTAMP,
    decision_reason TEXT,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX data_requests_department ON data_requests (department, id);
CREATE INDEX data_requests_region ON data_requests (region_code);

-- Every pull: who, under which request, which region (the pulled scope) and indicators, how many rows.
CREATE TABLE access_log (
    id          INTEGER   NOT NULL PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    request_id  BIGINT    NOT NULL REFERENCES data_requests (id),
    department  TEXT      NOT NULL,
    caller      TEXT      NOT NULL,
    region_code TEXT      NOT NULL,
    level       TEXT      NOT NULL,
    period      TEXT      NOT NULL,
    indicators  TEXT      NOT NULL,
    row_count   BIGINT    NOT NULL,
    format      TEXT      NOT NULL
);
CREATE INDEX access_log_region ON access_log (region_code, occurred_at);
CREATE INDEX access_log_request ON access_log (request_id);

-- The analytics cube polls for entries changed by other processes (a CLI import).
CREATE INDEX entries_period_updated ON entries (period, updated_at);
