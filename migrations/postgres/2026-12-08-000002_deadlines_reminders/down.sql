DROP TABLE reminder_hooks;
DROP TABLE reminders;
DROP TABLE deadlines;
