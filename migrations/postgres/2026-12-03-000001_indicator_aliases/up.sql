-- Aliases (别名): the names departments use for an indicator (总户数 for 户籍户数), '|'-separated,
-- versioned with the rest of its definition. The legacy-form analyzer maps them exactly.
ALTER TABLE indicators ADD COLUMN aliases TEXT NOT NULL DEFAULT '';
