DROP TABLE form_cleanups;
