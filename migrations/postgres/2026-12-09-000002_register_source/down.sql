DELETE FROM data_values WHERE source = 'register';
ALTER TABLE data_values DROP CONSTRAINT data_values_source_check;
ALTER TABLE data_values ADD CONSTRAINT data_values_source_check
    CHECK (source IN ('entry', 'import', 'carried_forward', 'api'));
