DROP TABLE register_record_events;
DROP TABLE register_records;
DROP TABLE registers;
ALTER TABLE indicators DROP COLUMN register_aggregate;
