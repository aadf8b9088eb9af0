-- A supply may name registers (台账) too: the department then pushes their records (民政's 低保户
-- list), village by village, into the villages' registers. Comma-separated codes; none: values only.
ALTER TABLE supplies ADD COLUMN registers TEXT;
