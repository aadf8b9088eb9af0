-- Follow-ups (跟进): a reviewer marks a village's value to be checked, with a note. Open until the
-- value changes (`resolved`, by the write that changed it) or the reviewer closes it with a reason
-- (`closed`). One open per cell.
CREATE TABLE follow_ups (
    id             INTEGER   NOT NULL PRIMARY KEY,
    region_code    TEXT      NOT NULL REFERENCES regions (code),
    period         TEXT      NOT NULL,
    indicator_code TEXT      NOT NULL,
    value          TEXT,
    note           TEXT      NOT NULL,
    status         TEXT      NOT NULL CHECK (status IN ('open', 'resolved', 'closed')),
    created_by     TEXT      NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    resolved_by    TEXT,
    resolved_at    TIMESTAMP,
    resolution     TEXT
);
CREATE INDEX follow_ups_region ON follow_ups (region_code, status);
CREATE INDEX follow_ups_cell ON follow_ups (region_code, period, indicator_code, status);
