-- 0005: the help desk: staff accounts, sessions, login throttling, the
-- audit log, one summary row per conversation (kept by triggers, so the
-- inbox pages over conversations, not over every message), notes, labels
-- and a full-text index over message bodies.

CREATE TABLE staff (
	id		INTEGER PRIMARY KEY,
	username	TEXT NOT NULL UNIQUE COLLATE NOCASE,
	role		TEXT NOT NULL CHECK (role IN ('agent', 'supervisor',
			    'admin')),
	pw_hash		TEXT NOT NULL,		-- crypto_pwhash_str (argon2id)
	disabled	INTEGER NOT NULL DEFAULT 0,
	created_at	INTEGER NOT NULL
);

CREATE TABLE sessions (
	id		INTEGER PRIMARY KEY,
	token_hash	TEXT NOT NULL UNIQUE,	-- hex SHA-256 of the cookie
	staff_id	INTEGER NOT NULL REFERENCES staff(id),
	csrf		TEXT NOT NULL,		-- sent back in X-CSRF-Token
	created_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL
);
CREATE INDEX sessions_staff ON sessions(staff_id);

-- Failed logins per "user:NAME" and per "ip:ADDR" in a fixed window.
CREATE TABLE login_failures (
	key		TEXT PRIMARY KEY,
	failures	INTEGER NOT NULL,
	window_start	INTEGER NOT NULL
) WITHOUT ROWID;

-- Every staff action: who, what, when, which conversation.
CREATE TABLE audit (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,
	staff_id	INTEGER,		-- NULL: a failed login
	username	TEXT NOT NULL,
	action		TEXT NOT NULL,		-- login, reveal, take, reply, ...
	contact_id	INTEGER,		-- the conversation, if any
	detail		TEXT NOT NULL DEFAULT '',
	req		TEXT NOT NULL DEFAULT '',
	ip		TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_contact ON audit(contact_id, id);

-- One row per contact: what the inbox lists and filters.
CREATE TABLE conversations (
	contact_id	INTEGER PRIMARY KEY REFERENCES contacts(id),
	channel		TEXT NOT NULL,
	lang		TEXT NOT NULL DEFAULT '',
	last_msg_id	INTEGER NOT NULL,
	last_at		INTEGER NOT NULL,	-- unix seconds
	snippet		TEXT NOT NULL DEFAULT '',	-- last body, cut
	last_in_intent	TEXT NOT NULL DEFAULT '',
	msgs		INTEGER NOT NULL DEFAULT 0,
	unknown_streak	INTEGER NOT NULL DEFAULT 0,	-- not understood in a row
	needs_human	INTEGER NOT NULL DEFAULT 0,	-- asked for an operator,
							-- or two misses in a row
	status		TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open',
			    'resolved')),
	resolved_at	INTEGER,
	resolved_by	TEXT
);
-- Keyset paging newest first, alone or after one equality filter.
CREATE INDEX conversations_recent ON conversations(last_at, contact_id);
CREATE INDEX conversations_human ON conversations(needs_human, last_at,
	contact_id);
CREATE INDEX conversations_intent ON conversations(last_in_intent, last_at,
	contact_id);
CREATE INDEX conversations_channel ON conversations(channel, last_at,
	contact_id);
-- Channel and language together: the rarest combination of two filters.
CREATE INDEX conversations_channel_lang ON conversations(channel, lang,
	last_at, contact_id);
CREATE INDEX conversations_lang ON conversations(lang, last_at, contact_id);
CREATE INDEX conversations_status ON conversations(status, last_at,
	contact_id);
-- Taken conversations are few: found from the contacts an agent holds.
CREATE INDEX contacts_held ON contacts(held_until);

CREATE TRIGGER messages_conversation AFTER INSERT ON messages BEGIN
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
END;

-- Conversations of messages stored before this migration.
INSERT INTO conversations (contact_id, channel, lang, last_msg_id, last_at,
    snippet, last_in_intent, msgs, needs_human)
SELECT m.contact_id, m.channel, coalesce(m.lang, ''), m.id, m.created_at,
    substr(m.body, 1, 160),
    coalesce((SELECT i.intent FROM messages i WHERE i.contact_id =
	m.contact_id AND i.direction = 'in' ORDER BY i.id DESC LIMIT 1), ''),
    (SELECT count(*) FROM messages c WHERE c.contact_id = m.contact_id),
    EXISTS (SELECT 1 FROM messages h WHERE h.contact_id = m.contact_id AND
	h.direction = 'in' AND h.intent = 'human_operator')
FROM messages m
WHERE m.id = (SELECT max(x.id) FROM messages x WHERE x.contact_id =
    m.contact_id);

CREATE TABLE notes (
	id		INTEGER PRIMARY KEY,
	contact_id	INTEGER NOT NULL REFERENCES contacts(id),
	staff_id	INTEGER NOT NULL REFERENCES staff(id),
	body		TEXT NOT NULL,
	created_at	INTEGER NOT NULL
);
CREATE INDEX notes_contact ON notes(contact_id, id);

CREATE TABLE labels (
	contact_id	INTEGER NOT NULL REFERENCES contacts(id),
	label		TEXT NOT NULL,
	PRIMARY KEY (contact_id, label)
) WITHOUT ROWID;

-- Dashboard ranges and the outbound joins.
CREATE INDEX messages_created ON messages(created_at);

-- Full-text search over every message body (external content: the text
-- is stored once, in messages).
CREATE VIRTUAL TABLE messages_fts USING fts5(body, content = 'messages',
    content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
	INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
	INSERT INTO messages_fts (messages_fts, rowid, body)
	    VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
	INSERT INTO messages_fts (messages_fts, rowid, body)
	    VALUES ('delete', old.id, old.body);
	INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
