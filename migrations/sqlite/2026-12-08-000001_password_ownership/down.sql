DROP TABLE password_history;
ALTER TABLE users DROP COLUMN phone;
ALTER TABLE users DROP COLUMN must_change_password;
