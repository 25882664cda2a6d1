-- 0010: the help desk teaches the bot.  Each inbound message keeps what
-- understood it and how sure it was, and whether it is up for review (not
-- understood, or the model was less sure than nlu.review_below when it
-- came); agents label such messages with the right intent, and the
-- conversation summary counts those still to label.
ALTER TABLE messages ADD COLUMN nlu_source TEXT;	-- pattern, model, rule,
							-- dialogue, none; NULL:
							-- outbound or older
ALTER TABLE messages ADD COLUMN nlu_prob REAL;		-- the model's, 0..1
ALTER TABLE messages ADD COLUMN review INTEGER NOT NULL DEFAULT 0;

-- What an agent said a citizen's message meant: the latest label wins
-- (every change is in the audit log).
CREATE TABLE message_labels (
	message_id	INTEGER PRIMARY KEY REFERENCES messages(id),
	intent		TEXT NOT NULL,		-- an intent's name, or off_topic
	staff_id	INTEGER NOT NULL REFERENCES staff(id),
	labelled_at	INTEGER NOT NULL
);

-- Messages not understood before this migration are up for review.
UPDATE messages SET review = 1 WHERE direction = 'in' AND intent = 'unknown';

-- Inbound messages up for review and not labelled yet, per conversation.
ALTER TABLE conversations ADD COLUMN review INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET review = r.n FROM (SELECT contact_id,
    count(*) AS n FROM messages WHERE review = 1 AND id <= (SELECT last_id
    FROM index_state WHERE name = 'messages') GROUP BY contact_id) AS r
    WHERE r.contact_id = conversations.contact_id;
CREATE INDEX conversations_review ON conversations(last_at, contact_id)
	WHERE review > 0;

-- The indexer's definition (0007) with the count of messages to review.
DROP TRIGGER message_feed_index;
DROP VIEW message_feed;
CREATE VIEW message_feed AS SELECT id, contact_id, direction, channel,
    lang, intent, body, created_at, review FROM messages;

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
	INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
