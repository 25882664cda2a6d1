-- 0009: the sender takes the oldest due replies a few at a time.  Over
-- outbox_due (by time) that meant reading and sorting every due row on
-- each pass, so a backlog made each pass slower; over pending rows in id
-- order it stops after the few it takes.
CREATE INDEX outbox_pending ON outbox(id, next_try_at) WHERE state = 'pending';
