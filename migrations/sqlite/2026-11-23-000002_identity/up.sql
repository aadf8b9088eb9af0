-- People: clerks, reviewers, admins, viewers, department users, auditors.
CREATE TABLE users (
    id                  INTEGER   NOT NULL PRIMARY KEY,
    username            TEXT      NOT NULL UNIQUE,
    display_name        TEXT      NOT NULL,
    role                TEXT      NOT NULL CHECK (role IN ('clerk', 'reviewer', 'admin', 'viewer', 'department', 'auditor')),
    region_code         TEXT,
    department          TEXT,
    password_hash       TEXT      NOT NULL,
    disabled            BOOLEAN   NOT NULL DEFAULT 0,
    failed_logins       INTEGER   NOT NULL DEFAULT 0,
    locked_until        TIMESTAMP,
    password_changed_at TIMESTAMP NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX users_region_code ON users (region_code);

-- Department systems (OAuth2 client credentials).
CREATE TABLE clients (
    id          INTEGER   NOT NULL PRIMARY KEY,
    client_id   TEXT      NOT NULL UNIQUE,
    secret_hash TEXT      NOT NULL,
    department  TEXT      NOT NULL,
    region_code TEXT      NOT NULL,
    disabled    BOOLEAN   NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL
);

-- Ed25519 signing keys; the newest signs, all verify until they are retired.
CREATE TABLE signing_keys (
    kid         TEXT      NOT NULL PRIMARY KEY,
    private_key TEXT      NOT NULL,
    public_key  TEXT      NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    retired_at  TIMESTAMP
);

-- Logged-out tokens, kept until they would have expired anyway.
CREATE TABLE revoked_tokens (
    jti        TEXT      NOT NULL PRIMARY KEY,
    expires_at TIMESTAMP NOT NULL
);

-- Append-only: the triggers refuse every UPDATE and DELETE.
CREATE TABLE audit_events (
    id          INTEGER   NOT NULL PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor       TEXT,
    role        TEXT,
    action      TEXT      NOT NULL,
    target      TEXT,
    outcome     TEXT      NOT NULL,
    request_id  TEXT,
    client_addr TEXT,
    detail      TEXT
);
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);
CREATE INDEX audit_events_actor ON audit_events (actor, occurred_at);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
