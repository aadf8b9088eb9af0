DROP TABLE indicator_proposals;
