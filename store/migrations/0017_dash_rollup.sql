-- 0017: the dashboard from daily roll-ups.  Each Tashkent day (the same
-- date(created_at + 18000, 'unixepoch') the dashboard has always shown)
-- holds the counts the dashboard sums, so a range of a year reads a few
-- thousand small rows, not a million messages.  The indexer (store/
-- rollup.c) adds the messages after its cursor 'dash' with each group
-- commit; the dashboard adds the few after the cursor from the messages
-- themselves.  What changes later is followed by triggers: a delivery
-- report moves SMS segments sent and failures, a label takes a message
-- off the review count.

-- Per day and channel: messages in and out, SMS segments of replies sent
-- (delivery sent, delivered or sync), messages failed.
CREATE TABLE dash_days (
	day	TEXT NOT NULL,		-- YYYY-MM-DD, Tashkent
	channel	TEXT NOT NULL,
	n_in	INTEGER NOT NULL DEFAULT 0,
	n_out	INTEGER NOT NULL DEFAULT 0,
	seg	INTEGER NOT NULL DEFAULT 0,
	failed	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (day, channel)
) WITHOUT ROWID;

-- Per kind and day: inbound messages by intent and by language (key ''
-- for none), inbound messages up for review and not labelled (review,
-- key ''), USSD sessions seen for the first time (ussd, key '').
CREATE TABLE dash_counts (
	kind	TEXT NOT NULL,		-- intent, lang, review, ussd
	day	TEXT NOT NULL,
	key	TEXT NOT NULL,
	n	INTEGER NOT NULL,
	PRIMARY KEY (kind, day, key)
) WITHOUT ROWID;

-- Reply times, exact to the second, per day of the reply: the bot's (a
-- reply to its question, reply_to) and agents' (since the citizen's
-- latest message before); medians come from the counts.
CREATE TABLE dash_reply (
	who	TEXT NOT NULL,		-- bot, agent
	day	TEXT NOT NULL,
	secs	INTEGER NOT NULL,
	n	INTEGER NOT NULL,
	PRIMARY KEY (who, day, secs)
) WITHOUT ROWID;

-- The days each USSD session wrote on, with the day before that (prev):
-- the sessions of a range are those first seen in it (dash_counts ussd)
-- and the few seen again in it after a day before it (prev < the range).
CREATE TABLE dash_ussd (
	session	TEXT NOT NULL,		-- "PROVIDER/SESSION" (bot/ussd.h)
	day	TEXT NOT NULL,
	prev	TEXT,
	PRIMARY KEY (session, day)
) WITHOUT ROWID;
CREATE INDEX dash_ussd_again ON dash_ussd(day, prev) WHERE prev IS NOT NULL;

-- The texts not understood, for their top list (the latest of a range):
-- only those rows, with their text.
CREATE INDEX messages_review ON messages(created_at, body)
	WHERE direction = 'in' AND review = 1;

-- The roll-up of the messages stored so far.
INSERT INTO dash_days (day, channel, n_in, n_out, seg, failed)
SELECT date(created_at + 18000, 'unixepoch'), channel,
    sum(direction = 'in'), sum(direction = 'out'),
    sum(CASE WHEN direction = 'out' AND delivery IN ('sent', 'delivered',
    'sync') THEN coalesce(segments, 0) ELSE 0 END),
    sum(delivery = 'failed')
FROM messages GROUP BY 1, 2;

INSERT INTO dash_counts (kind, day, key, n)
SELECT 'intent', date(created_at + 18000, 'unixepoch'), coalesce(intent, ''),
    count(*) FROM messages WHERE direction = 'in' GROUP BY 2, 3;
INSERT INTO dash_counts (kind, day, key, n)
SELECT 'lang', date(created_at + 18000, 'unixepoch'), coalesce(lang, ''),
    count(*) FROM messages WHERE direction = 'in' GROUP BY 2, 3;
INSERT INTO dash_counts (kind, day, key, n)
SELECT 'review', date(m.created_at + 18000, 'unixepoch'), '', count(*)
FROM messages m WHERE m.direction = 'in' AND m.review = 1 AND NOT EXISTS
    (SELECT 1 FROM message_labels l WHERE l.message_id = m.id)
GROUP BY 2;

INSERT INTO dash_reply (who, day, secs, n)
SELECT 'bot', date(o.created_at + 18000, 'unixepoch'),
    o.created_at - i.created_at, count(*)
FROM messages o JOIN messages i ON i.id = o.reply_to
WHERE o.direction = 'out' GROUP BY 2, 3;
INSERT INTO dash_reply (who, day, secs, n)
SELECT 'agent', d, s, count(*) FROM (SELECT date(o.created_at + 18000,
    'unixepoch') AS d, o.created_at - (SELECT max(i.created_at)
    FROM messages i WHERE i.contact_id = o.contact_id AND
    i.direction = 'in' AND i.id < o.id) AS s
    FROM messages o WHERE o.direction = 'out' AND o.intent = 'manual')
WHERE s IS NOT NULL GROUP BY d, s;

INSERT INTO dash_ussd (session, day, prev)
SELECT s, d, lag(d) OVER (PARTITION BY s ORDER BY d) FROM (SELECT DISTINCT
    substr(channel_msg_id, 1, length(channel_msg_id) - 17) AS s,
    date(created_at + 18000, 'unixepoch') AS d FROM messages
    WHERE channel = 'ussd' AND direction = 'in' AND
    channel_msg_id IS NOT NULL);
INSERT INTO dash_counts (kind, day, key, n)
SELECT 'ussd', day, '', count(*) FROM dash_ussd WHERE prev IS NULL
GROUP BY 2;

INSERT INTO index_state (name, last_id)
    SELECT 'dash', coalesce(max(id), 0) FROM messages;

-- A delivery report after the roll-up: the segments sent and the failures
-- of the message's day move with it.
CREATE TRIGGER messages_dash_delivery AFTER UPDATE OF delivery ON messages
WHEN old.id <= (SELECT last_id FROM index_state WHERE name = 'dash') AND
    ((old.direction = 'out' AND coalesce(old.segments, 0) <> 0 AND
    (old.delivery IN ('sent', 'delivered', 'sync')) <>
    (new.delivery IN ('sent', 'delivered', 'sync'))) OR
    (old.delivery = 'failed') <> (new.delivery = 'failed'))
BEGIN
	UPDATE dash_days SET
	    seg = seg + CASE WHEN old.direction = 'out' THEN
		coalesce(old.segments, 0) * ((new.delivery IN ('sent',
		'delivered', 'sync')) - (old.delivery IN ('sent', 'delivered',
		'sync'))) ELSE 0 END,
	    failed = failed + (new.delivery = 'failed') -
		(old.delivery = 'failed')
	WHERE day = date(old.created_at + 18000, 'unixepoch') AND
	    channel = old.channel;
END;

-- A label after the roll-up: one message fewer to review on its day.
CREATE TRIGGER message_labels_dash_insert AFTER INSERT ON message_labels
WHEN new.message_id <= (SELECT last_id FROM index_state WHERE name = 'dash')
BEGIN
	UPDATE dash_counts SET n = n - 1 WHERE kind = 'review' AND key = '' AND
	    day = (SELECT date(created_at + 18000, 'unixepoch') FROM messages
	    WHERE id = new.message_id AND direction = 'in' AND review = 1);
END;
CREATE TRIGGER message_labels_dash_delete AFTER DELETE ON message_labels
WHEN old.message_id <= (SELECT last_id FROM index_state WHERE name = 'dash')
BEGIN
	INSERT INTO dash_counts (kind, day, key, n)
	SELECT 'review', date(created_at + 18000, 'unixepoch'), '', 1
	FROM messages WHERE id = old.message_id AND direction = 'in' AND
	    review = 1
	ON CONFLICT (kind, day, key) DO UPDATE SET n = n + 1;
END;
