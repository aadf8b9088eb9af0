DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE revoked_tokens;
DROP TABLE signing_keys;
DROP TABLE clients;
DROP TABLE users;
