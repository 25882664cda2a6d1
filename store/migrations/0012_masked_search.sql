-- 0012: the help desk's search never matches inside a masked identifier.
-- messages_fts now holds each body with every identifier's digits replaced
-- (base/mask.c, mask_text_all), so a role that sees masks cannot find a
-- PINFL or a phone digit by digit; the identifiers live in message_ids_fts
-- (their digits, one token each, and the contact's own phone in the column
-- sender), which only supervisors' searches and the exact search by a
-- contact's phone read.  Both are written by the indexer in C (the mask is
-- C), from its own cursor 'search', which starts at 0: the indexer
-- rebuilds them from the messages table in batches after this migration.
-- Messages are never deleted or edited, so the index needs no delete path;
-- the tables keep no copy of the text (content = '').
DROP TRIGGER IF EXISTS messages_fts_delete;
DROP TRIGGER IF EXISTS messages_fts_update;
DROP TABLE messages_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5(body, content = '');
CREATE VIRTUAL TABLE message_ids_fts USING fts5(ids, sender, content = '');
INSERT INTO index_state (name, last_id) VALUES ('search', 0);

-- The indexer's definition (0010) without the search index, now C's.
DROP TRIGGER message_feed_index;
CREATE TRIGGER message_feed_index INSTEAD OF INSERT ON message_feed BEGIN
	INSERT INTO conversations (contact_id, channel, lang, last_msg_id,
	    last_at, snippet, last_in_intent, msgs, unknown_streak,
	    needs_human, review)
	VALUES (new.contact_id, new.channel, coalesce(new.lang, ''), new.id,
	    new.created_at, substr(new.body, 1, 160),
	    CASE WHEN new.direction = 'in' THEN coalesce(new.intent, '')
	    ELSE '' END, 1,
	    coalesce(new.direction = 'in' AND new.intent = 'unknown', 0),
	    coalesce(new.direction = 'in' AND
	    new.intent = 'human_operator', 0),
	    new.direction = 'in' AND new.review = 1 AND NOT EXISTS (SELECT 1
	    FROM message_labels l WHERE l.message_id = new.id))
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
		ELSE status END,
	    review = review + (new.direction = 'in' AND new.review = 1 AND
		NOT EXISTS (SELECT 1 FROM message_labels l WHERE
		l.message_id = new.id));
END;
