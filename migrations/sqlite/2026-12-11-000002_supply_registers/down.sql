ALTER TABLE supplies DROP COLUMN registers;
