ALTER TABLE data_requests DROP COLUMN full_values;
ALTER TABLE data_requests DROP COLUMN full_values_asked;
ALTER TABLE data_requests DROP COLUMN registers;
