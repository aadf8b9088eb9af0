-- The administrative hierarchy (统计用区划代码). Codes are retired (valid_to), never deleted.
CREATE TABLE regions (
    code        TEXT    NOT NULL PRIMARY KEY CHECK (length(code) = 12),
    name        TEXT    NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    parent_code TEXT    REFERENCES regions (code),
    valid_from  DATE    NOT NULL,
    valid_to    DATE
);
CREATE INDEX regions_parent_code ON regions (parent_code, code);
CREATE INDEX regions_level ON regions (level, code);

-- Merges, splits, renames and retirements, so history-aware queries can map old codes to new.
CREATE TABLE region_changes (
    id          INTEGER   NOT NULL PRIMARY KEY,
    old_code    TEXT      NOT NULL,
    new_code    TEXT,
    kind        TEXT      NOT NULL CHECK (kind IN ('rename', 'merge', 'split', 'retire', 'restore')),
    old_name    TEXT,
    new_name    TEXT,
    effective   DATE      NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX region_changes_old_code ON region_changes (old_code);
CREATE INDEX region_changes_new_code ON region_changes (new_code);
