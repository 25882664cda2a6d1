-- 0002: what the outbox sender needs: a channel-specific reply markup
-- (Telegram keyboards), how many parts of a long text have gone out, and
-- when the row was last sent.
ALTER TABLE outbox ADD COLUMN markup TEXT;
ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN sent_at INTEGER;
-- A language the citizen chose (keyboard, "til: ..."): replies keep to it
-- whatever the language of a message.
ALTER TABLE contacts ADD COLUMN lang_chosen INTEGER NOT NULL DEFAULT 0;
