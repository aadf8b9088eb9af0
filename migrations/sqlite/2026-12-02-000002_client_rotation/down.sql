ALTER TABLE clients DROP COLUMN rotation_requested_by;
ALTER TABLE clients DROP COLUMN rotation_requested_at;
ALTER TABLE clients DROP COLUMN rotation_approved_by;
ALTER TABLE clients DROP COLUMN rotation_approved_at;
ALTER TABLE clients DROP COLUMN secret_rotated_at;
