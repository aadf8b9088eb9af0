DROP INDEX entries_period_updated;
DROP TABLE access_log;
DROP TABLE data_requests;
