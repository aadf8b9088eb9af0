-- A data request may name registers (台账) and their columns: [{code, columns}] as JSON. Their
-- records are pulled masked unless the request asked for full values and the admin granted them.
ALTER TABLE data_requests ADD COLUMN registers TEXT;
ALTER TABLE data_requests ADD COLUMN full_values_asked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE data_requests ADD COLUMN full_values BOOLEAN NOT NULL DEFAULT FALSE;
