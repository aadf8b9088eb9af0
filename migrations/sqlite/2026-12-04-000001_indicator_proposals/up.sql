-- Proposed indicators (新指标建议): what a department's old form asks for that the registry does
-- not have yet, until an admin accepts it (as a new indicator, through the duplicate guard) or
-- rejects it with a reason the department reads.
CREATE TABLE indicator_proposals (
    id             INTEGER   NOT NULL PRIMARY KEY,
    name           TEXT      NOT NULL,
    -- '' when the form states no unit.
    unit           TEXT      NOT NULL,
    -- The column's header as the form wrote it.
    header         TEXT      NOT NULL,
    form_title     TEXT      NOT NULL,
    department     TEXT      NOT NULL,
    proposed_by    TEXT      NOT NULL,
    proposed_at    TIMESTAMP NOT NULL,
    -- pending, accepted or rejected.
    status         TEXT      NOT NULL,
    indicator_code TEXT,
    decided_by     TEXT,
    decided_at     TIMESTAMP,
    reason         TEXT
);
CREATE INDEX indicator_proposals_status ON indicator_proposals (status);
