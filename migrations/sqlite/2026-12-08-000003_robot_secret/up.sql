-- A DingTalk robot with 加签 (signed requests): its secret, to sign each post with.
ALTER TABLE reminder_hooks ADD COLUMN secret TEXT;
