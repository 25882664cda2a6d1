-- 0003: a help-desk agent who takes a conversation over holds the contact:
-- the bot stays silent to them until released or held_until passes.
ALTER TABLE contacts ADD COLUMN held_by TEXT;
ALTER TABLE contacts ADD COLUMN held_until INTEGER NOT NULL DEFAULT 0;
