DROP TABLE region_changes;
DROP TABLE regions;
