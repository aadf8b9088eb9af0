-- 首次登录修改初始口令: an account whose password someone else chose (an admin creating or
-- resetting it, a bulk import) must choose its own at its next sign-in before anything else works.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT 0;
-- The phone a county's staff sheet gives, for the reviewer who chases a late village.
ALTER TABLE users ADD COLUMN phone TEXT;

-- The hashes of the passwords an account used before, so that a change may refuse the last N.
CREATE TABLE password_history (
    id            INTEGER   NOT NULL PRIMARY KEY,
    user_id       BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    password_hash TEXT      NOT NULL,
    replaced_at   TIMESTAMP NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, replaced_at);
