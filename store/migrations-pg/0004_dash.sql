-- PostgreSQL 0004: what keeps the dashboard's daily roll-up (dash_days,
-- dash_counts, dash_reply, dash_ussd of 0001) true after a message is
-- rolled up, as SQLite's triggers of its 0017 do.  On PostgreSQL a
-- message is rolled up by the indexer (store/pg_rollup.c) in the
-- transaction that takes its index_queue row, so "rolled up" means "no
-- longer in index_queue".  Each trigger locks the message's queue row
-- (FOR UPDATE) before it looks: while an indexer has taken the row and
-- not yet committed, the trigger waits and then finds it gone (and moves
-- the counts the indexer wrote); while the trigger holds it, an indexer
-- skips the message (SKIP LOCKED) and later counts what it then reads.

-- A Tashkent day (UTC+5 all year) of a unix time: 'YYYY-MM-DD', the
-- SQLite side's date(t + 18000, 'unixepoch').
-- STABLE, as to_char() is: so the planner inlines it into each query
-- rather than running a statement per row.
CREATE FUNCTION dash_day(t bigint) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$SELECT to_char(date '1970-01-01' + floor((t + 18000) / 86400.0)::integer,
    'YYYY-MM-DD')$$;

-- A delivery report after the roll-up: the segments sent and the failures
-- of the message's day move with it.
CREATE FUNCTION dash_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM index_queue WHERE message_id = OLD.id FOR UPDATE;
	IF FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE dash_days SET
	    seg = seg + CASE WHEN OLD.direction = 'out' THEN
		coalesce(OLD.segments, 0) * ((NEW.delivery IN ('sent',
		'delivered', 'sync'))::integer - (OLD.delivery IN ('sent',
		'delivered', 'sync'))::integer) ELSE 0 END,
	    failed = failed + (NEW.delivery = 'failed')::integer -
		(OLD.delivery = 'failed')::integer
	WHERE day = dash_day(OLD.created_at) AND channel = OLD.channel;
	RETURN NULL;
END
$$;
CREATE TRIGGER messages_dash_delivery AFTER UPDATE OF delivery ON messages
FOR EACH ROW WHEN
    ((OLD.direction = 'out' AND coalesce(OLD.segments, 0) <> 0 AND
    (OLD.delivery IN ('sent', 'delivered', 'sync')) <>
    (NEW.delivery IN ('sent', 'delivered', 'sync'))) OR
    (OLD.delivery = 'failed') <> (NEW.delivery = 'failed'))
EXECUTE FUNCTION dash_delivery();

-- A label after the roll-up: one message fewer to review on its day.
CREATE FUNCTION dash_label_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM index_queue WHERE message_id = NEW.message_id
	    FOR UPDATE;
	IF FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE dash_counts SET n = n - 1 WHERE kind = 'review' AND key = '' AND
	    day = (SELECT dash_day(created_at) FROM messages
	    WHERE id = NEW.message_id AND direction = 'in' AND review = 1);
	RETURN NULL;
END
$$;
CREATE TRIGGER message_labels_dash_insert AFTER INSERT ON message_labels
FOR EACH ROW EXECUTE FUNCTION dash_label_insert();

-- A label taken away after the roll-up: one more to review.
CREATE FUNCTION dash_label_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM index_queue WHERE message_id = OLD.message_id
	    FOR UPDATE;
	IF FOUND THEN
		RETURN NULL;
	END IF;
	INSERT INTO dash_counts AS c (kind, day, key, n)
	SELECT 'review', dash_day(created_at), '', 1
	FROM messages WHERE id = OLD.message_id AND direction = 'in' AND
	    review = 1
	ON CONFLICT (kind, day, key) DO UPDATE SET n = c.n + 1;
	RETURN NULL;
END
$$;
CREATE TRIGGER message_labels_dash_delete AFTER DELETE ON message_labels
FOR EACH ROW EXECUTE FUNCTION dash_label_delete();
