-- 0008: indexes only over the rows they are searched for, so that the
-- rows every message adds write fewer index entries.  The sender looks
-- for pending replies only (synchronous SMS replies and sent ones never
-- are); only replies have reply_to.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox(next_try_at) WHERE state = 'pending';
DROP INDEX messages_reply_to;
CREATE INDEX messages_reply_to ON messages(reply_to) WHERE reply_to IS NOT NULL;
