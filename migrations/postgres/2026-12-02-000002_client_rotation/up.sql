-- Rotating a department system's secret (更换系统密钥): its department asks, an admin in scope
-- approves, then the department collects the new secret once (stored only as a hash; the admin
-- never sees it). The old secret and its tokens stop at collection.
ALTER TABLE clients ADD COLUMN rotation_requested_by TEXT;
ALTER TABLE clients ADD COLUMN rotation_requested_at TIMESTAMP;
ALTER TABLE clients ADD COLUMN rotation_approved_by TEXT;
ALTER TABLE clients ADD COLUMN rotation_approved_at TIMESTAMP;
ALTER TABLE clients ADD COLUMN secret_rotated_at TIMESTAMP;
