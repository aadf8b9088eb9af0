-- Report templates (报表模板): a department's own form (title and note rows, header as written,
-- row labels, each data column's indicator and unit factor, as JSON), filled in from the registry
-- for every village in scope whenever its approved data request allows.
CREATE TABLE report_templates (
    id          INTEGER   NOT NULL PRIMARY KEY,
    department  TEXT      NOT NULL,
    name        TEXT      NOT NULL,
    definition  TEXT      NOT NULL,
    created_by  TEXT      NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX report_templates_department ON report_templates (department);
