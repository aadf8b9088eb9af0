-- A value kept from a register (台账) has source `register`. NOT VALID, then VALIDATE: the check
-- of the rows already there does not block writes while it runs.
ALTER TABLE data_values DROP CONSTRAINT data_values_source_check;
ALTER TABLE data_values ADD CONSTRAINT data_values_source_check
    CHECK (source IN ('entry', 'import', 'carried_forward', 'api', 'register')) NOT VALID;
ALTER TABLE data_values VALIDATE CONSTRAINT data_values_source_check;
