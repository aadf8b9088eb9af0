ALTER TABLE reminder_hooks DROP COLUMN secret;
