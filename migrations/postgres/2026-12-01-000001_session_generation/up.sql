-- Tokens carry the generation of the account they were issued for; changing a role, scope,
-- department, password or enabled flag advances it, so older tokens stop on the next request.
ALTER TABLE users ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0;
-- `DEMO_ADMIN` beside `demo_admin` would pass for the same person in the audit trail.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
