DROP INDEX users_username_lower;
ALTER TABLE clients DROP COLUMN session_generation;
ALTER TABLE users DROP COLUMN session_generation;
