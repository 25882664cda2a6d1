-- 0001: applications, programmes, contacts, messages, outbox.
-- Times are unix seconds (INTEGER); calendar dates are 'YYYY-MM-DD' (TEXT).

CREATE TABLE programmes (
	code		TEXT PRIMARY KEY,	-- child_allowance, material_aid, ...
	amount_min	INTEGER,		-- soums a month (NULL: not a payment)
	amount_max	INTEGER,
	period_months	INTEGER,		-- how long it is paid
	documents	TEXT NOT NULL,		-- document codes, ';'-separated
	apply_via	TEXT NOT NULL,		-- channel codes, ';'-separated
	decision	TEXT,			-- how and when it is decided
	legal_basis	TEXT,
	source		TEXT			-- where the figures come from
);

CREATE TABLE applications (
	id		INTEGER PRIMARY KEY,
	number		TEXT NOT NULL UNIQUE,	-- AR-YYYY-NNNNNN
	programme	TEXT NOT NULL REFERENCES programmes(code),
	status		TEXT NOT NULL CHECK (status IN ('pending', 'in_review',
			    'approved', 'rejected', 'paid', 'needs_documents')),
	applicant_phone	TEXT NOT NULL,		-- E.164
	pinfl_hash	TEXT NOT NULL,		-- hex SHA-256 of the 14 digits
	pinfl_last4	TEXT NOT NULL,		-- second factor
	region		TEXT NOT NULL,
	district	TEXT NOT NULL,
	submitted_on	TEXT NOT NULL,
	decided_on	TEXT,
	payment_on	TEXT,
	updated_at	INTEGER NOT NULL
);
CREATE INDEX applications_phone ON applications(applicant_phone);

CREATE TABLE application_history (
	id		INTEGER PRIMARY KEY,
	application_id	INTEGER NOT NULL REFERENCES applications(id),
	status		TEXT NOT NULL,
	on_date		TEXT NOT NULL,
	source		TEXT NOT NULL		-- demo, import, api
);
CREATE INDEX application_history_app ON application_history(application_id);

CREATE TABLE contacts (
	id		INTEGER PRIMARY KEY,
	channel		TEXT NOT NULL,		-- sms, telegram, aggregator
	address		TEXT NOT NULL,		-- phone (E.164) or chat id
	phone		TEXT,			-- verified phone, E.164
	lang		TEXT NOT NULL DEFAULT 'uz-Latn',
	opted_out	INTEGER NOT NULL DEFAULT 0,
	state		TEXT NOT NULL DEFAULT '',	-- dialogue state
	state_data	TEXT NOT NULL DEFAULT '',
	state_at	INTEGER NOT NULL DEFAULT 0,
	misses		INTEGER NOT NULL DEFAULT 0,	-- wrong app numbers
	misses_since	INTEGER NOT NULL DEFAULT 0,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	UNIQUE (channel, address)
);

CREATE TABLE messages (
	id		INTEGER PRIMARY KEY,
	contact_id	INTEGER NOT NULL REFERENCES contacts(id),
	direction	TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	channel		TEXT NOT NULL,
	channel_msg_id	TEXT,			-- Kannel id, Telegram update_id
	req		TEXT NOT NULL,		-- request id from the edge
	reply_to	INTEGER REFERENCES messages(id),
	body		TEXT NOT NULL,
	lang		TEXT,
	intent		TEXT,
	entities	TEXT,
	delivery	TEXT NOT NULL,		-- received, sync, queued, sent,
						-- delivered, failed, buffered
	encoding	TEXT,			-- gsm7, ucs2 (SMS only)
	segments	INTEGER,
	created_at	INTEGER NOT NULL
);
CREATE UNIQUE INDEX messages_inbound_dedupe ON messages(channel, channel_msg_id)
	WHERE direction = 'in' AND channel_msg_id IS NOT NULL;
CREATE INDEX messages_contact ON messages(contact_id, id);
CREATE INDEX messages_reply_to ON messages(reply_to);

CREATE TABLE outbox (
	id		INTEGER PRIMARY KEY,
	message_id	INTEGER NOT NULL UNIQUE REFERENCES messages(id),
	channel		TEXT NOT NULL,
	address		TEXT NOT NULL,
	state		TEXT NOT NULL CHECK (state IN ('pending', 'sent',
			    'failed', 'sync')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_try_at	INTEGER NOT NULL,
	last_error	TEXT,
	created_at	INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_try_at);
