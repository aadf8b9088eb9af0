DROP TABLE data_values;
DROP TABLE rules;
DROP TABLE indicators;
