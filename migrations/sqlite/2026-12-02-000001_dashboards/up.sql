-- Saved dashboards (看板): an admin composes one for a region (items: indicators, chart, level,
-- period rule, as JSON); once shared, the viewers, admins and reviewers whose scope holds that
-- region see it, and a viewer whose scope is that region lands on it.
CREATE TABLE dashboards (
    id          INTEGER   NOT NULL PRIMARY KEY,
    name        TEXT      NOT NULL,
    region_code TEXT      NOT NULL REFERENCES regions (code),
    items       TEXT      NOT NULL,
    shared      BOOLEAN   NOT NULL,
    created_by  TEXT      NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_by  TEXT      NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX dashboards_region ON dashboards (region_code);
