DROP TABLE entry_events;
DROP TABLE value_audit;
DROP TABLE entries;
