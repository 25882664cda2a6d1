-- 0014: fewer indexes on the conversation summaries, which every exchange
-- rewrites (last_at moves, so an index holding last_at moves its entry
-- too).  Channels and languages are few, so their filters read the newest
-- conversations in order (conversations_recent) and stop at a page; the
-- two filters that look for the few, "needs a person" and "not
-- understood", get partial indexes that only those conversations enter.
DROP INDEX conversations_channel;
DROP INDEX conversations_channel_lang;
DROP INDEX conversations_lang;
DROP INDEX conversations_intent;
DROP INDEX conversations_human;
CREATE INDEX conversations_human ON conversations(last_at, contact_id)
	WHERE needs_human = 1;
CREATE INDEX conversations_unknown ON conversations(last_at, contact_id)
	WHERE last_in_intent = 'unknown';
