ALTER TABLE clients DROP COLUMN rotation_requested_by, DROP COLUMN rotation_requested_at,
    DROP COLUMN rotation_approved_by, DROP COLUMN rotation_approved_at, DROP COLUMN secret_rotated_at;
