-- A village's correction of a supplied value (数据回流的差异): what the department gave, what the
-- clerk kept and why. Closed when the department supplies the corrected number (`resolved`) or
-- answers why its own stands (`answered`; the village sees the answer). One open per cell.
CREATE TABLE supply_discrepancies (
    id             INTEGER   NOT NULL PRIMARY KEY,
    supply_id      BIGINT    NOT NULL REFERENCES supplies (id),
    region_code    TEXT      NOT NULL REFERENCES regions (code),
    indicator_code TEXT      NOT NULL,
    period         TEXT      NOT NULL,
    supplied       TEXT      NOT NULL,
    corrected      TEXT      NOT NULL,
    reason         TEXT,
    corrected_by   TEXT      NOT NULL,
    corrected_at   TIMESTAMP NOT NULL,
    status         TEXT      NOT NULL CHECK (status IN ('open', 'resolved', 'answered')),
    answer         TEXT,
    answered_by    TEXT,
    answered_at    TIMESTAMP
);
CREATE INDEX supply_discrepancies_supply ON supply_discrepancies (supply_id, status);
CREATE INDEX supply_discrepancies_cell ON supply_discrepancies (region_code, period, indicator_code);
