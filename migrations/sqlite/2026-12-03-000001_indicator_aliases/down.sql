ALTER TABLE indicators DROP COLUMN aliases;
