DELETE FROM data_values WHERE source = 'supplied';
UPDATE data_values SET source = 'entry' WHERE source = 'confirmed';
ALTER TABLE data_values DROP CONSTRAINT data_values_source_check;
ALTER TABLE data_values ADD CONSTRAINT data_values_source_check
    CHECK (source IN ('entry', 'import', 'carried_forward', 'api', 'register'));
DROP TABLE supplied_values;
DROP TABLE supplies;
