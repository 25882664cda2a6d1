-- 0007: the help desk's conversation summaries and its full-text index are
-- kept up by an indexer that takes new messages in batches (a background
-- thread, and before every help-desk request), not by triggers on each
-- message's commit: a message's own transaction stays small and the
-- summaries' many index pages are written once per batch.  The work per
-- message is the one the triggers of 0005 did, run by an INSTEAD OF
-- trigger on a view that the indexer inserts the new rows into.
DROP TRIGGER messages_conversation;
DROP TRIGGER messages_fts_insert;

CREATE TABLE index_state (
	name	TEXT PRIMARY KEY,
	last_id	INTEGER NOT NULL	-- messages up to here are indexed
);
INSERT INTO index_state (name, last_id)
    SELECT 'messages', coalesce(max(id), 0) FROM messages;

CREATE VIEW message_feed AS SELECT id, contact_id, direction, channel,
    lang, intent, body, created_at FROM messages;

CREATE TRIGGER message_feed_index INSTEAD OF INSERT ON message_feed BEGIN
	INSERT INTO conversations (contact_id, channel, lang, last_msg_id,
	    last_at, snippet, last_in_intent, msgs, unknown_streak,
	    needs_human)
	VALUES (new.contact_id, new.channel, coalesce(new.lang, ''), new.id,
	    new.created_at, substr(new.body, 1, 160),
	    CASE WHEN new.direction = 'in' THEN coalesce(new.intent, '')
	    ELSE '' END, 1,
	    coalesce(new.direction = 'in' AND new.intent = 'unknown', 0),
	    coalesce(new.direction = 'in' AND
	    new.intent = 'human_operator', 0))
	ON CONFLICT (contact_id) DO UPDATE SET
	    channel = new.channel,
	    lang = coalesce(new.lang, lang),
	    last_msg_id = new.id,
	    last_at = max(last_at, new.created_at),
	    snippet = substr(new.body, 1, 160),
	    last_in_intent = CASE WHEN new.direction = 'in' THEN
		coalesce(new.intent, '') ELSE last_in_intent END,
	    msgs = msgs + 1,
	    unknown_streak = CASE WHEN new.direction <> 'in' THEN
		unknown_streak WHEN new.intent = 'unknown' THEN
		unknown_streak + 1 ELSE 0 END,
	    needs_human = CASE WHEN new.direction = 'in' AND
		(new.intent = 'human_operator' OR (new.intent = 'unknown' AND
		unknown_streak >= 1)) THEN 1 ELSE needs_human END,
	    status = CASE WHEN new.direction = 'in' THEN 'open'
		ELSE status END;
	INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
