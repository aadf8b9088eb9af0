DELETE FROM data_values WHERE source = 'supplied';
UPDATE data_values SET source = 'entry' WHERE source = 'confirmed';
CREATE TABLE data_values_rebuilt (
    region_code    TEXT      NOT NULL REFERENCES regions (code),
    indicator_code TEXT      NOT NULL,
    period         TEXT      NOT NULL,
    value          TEXT      NOT NULL,
    source         TEXT      NOT NULL
        CHECK (source = 'entry' OR source = 'import' OR source = 'carried_forward' OR source = 'api' OR source = 'register'),
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
DROP TABLE supplied_values;
DROP TABLE supplies;
