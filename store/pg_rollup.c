/*
 * pg_rollup.c - the dashboard's daily roll-up on PostgreSQL (the side of
 * rollup.c): the counts of n messages whose index_queue rows the caller
 * (pg_index.c) took, FOR UPDATE SKIP LOCKED or deleted, in the
 * transaction under way, so each message is counted once across nodes.
 * The definitions are the dashboard's (store/dash.c, rollup.c's SQL_NEW);
 * what changes after the roll-up (deliveries, labels) is followed by the
 * triggers of migrations-pg/0004, for which a message no longer in
 * index_queue is rolled up.
 *
 * Each table gets one statement per call, grouped in SQL (one row per
 * day and key) and inserted in the order of its key, so two nodes adding
 * to the same rows lock them in the same order and cannot deadlock.  A
 * USSD session's days are kept with the day before each (dash_ussd.prev,
 * as rollup.c does); the session's advisory lock, taken in the order of
 * its hash, makes two nodes adding days of one session take turns, each
 * seeing the other's days.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"
#include "store/store.h"

/* Per day and channel: in, out, SMS segments sent, failed. */
static const char SQL_DAYS[] =
    "INSERT INTO dash_days AS d (day, channel, n_in, n_out, seg, failed) "
    "SELECT dash_day(created_at), channel, "
    "count(*) FILTER (WHERE direction = 'in'), "
    "count(*) FILTER (WHERE direction = 'out'), "
    "coalesce(sum(segments) FILTER (WHERE direction = 'out' AND delivery "
    "IN ('sent', 'delivered', 'sync')), 0), "
    "count(*) FILTER (WHERE delivery = 'failed') "
    "FROM messages WHERE id = ANY($1::bigint[]) GROUP BY 1, 2 ORDER BY 1, 2 "
    "ON CONFLICT (day, channel) DO UPDATE SET n_in = d.n_in + EXCLUDED.n_in, "
    "n_out = d.n_out + EXCLUDED.n_out, seg = d.seg + EXCLUDED.seg, "
    "failed = d.failed + EXCLUDED.failed";

/*
 * Inbound by intent and by language, up for review and not labelled, and
 * the USSD sessions first seen ($2 days, $3 how many more or fewer: from
 * ussd_seen() below).
 */
static const char SQL_COUNTS[] =
    "INSERT INTO dash_counts AS c (kind, day, key, n) "
    "SELECT kind, day, key, sum(n) FROM ("
    "SELECT 'intent' AS kind, dash_day(created_at) AS day, "
    "coalesce(intent, '') AS key, 1 AS n FROM messages "
    "WHERE id = ANY($1::bigint[]) AND direction = 'in' "
    "UNION ALL SELECT 'lang', dash_day(created_at), coalesce(lang, ''), 1 "
    "FROM messages WHERE id = ANY($1::bigint[]) AND direction = 'in' "
    "UNION ALL SELECT 'review', dash_day(m.created_at), '', 1 FROM "
    "messages m WHERE m.id = ANY($1::bigint[]) AND m.direction = 'in' AND "
    "m.review = 1 AND NOT EXISTS (SELECT 1 FROM message_labels l WHERE "
    "l.message_id = m.id) "
    "UNION ALL SELECT 'ussd', u.day, '', u.n FROM "
    "unnest($2::text[], $3::bigint[]) AS u(day, n)"
    ") x GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3 "
    "ON CONFLICT (kind, day, key) DO UPDATE SET n = c.n + EXCLUDED.n";

/*
 * Reply times: the bot's (to the message it answers, reply_to) and an
 * agent's (since the citizen's latest message before).
 */
static const char SQL_REPLY[] =
    "INSERT INTO dash_reply AS r (who, day, secs, n) "
    "SELECT who, day, secs, count(*) FROM ("
    "SELECT 'bot' AS who, dash_day(o.created_at) AS day, "
    "o.created_at - i.created_at AS secs FROM messages o JOIN messages i "
    "ON i.id = o.reply_to WHERE o.id = ANY($1::bigint[]) AND "
    "o.direction = 'out' "
    "UNION ALL SELECT 'agent', day, s FROM (SELECT dash_day(o.created_at) "
    "AS day, o.created_at - (SELECT max(i.created_at) FROM messages i "
    "WHERE i.contact_id = o.contact_id AND i.direction = 'in' AND "
    "i.id < o.id) AS s FROM messages o WHERE o.id = ANY($1::bigint[]) AND "
    "o.direction = 'out' AND o.intent = 'manual') a WHERE s IS NOT NULL"
    ") x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 "
    "ON CONFLICT (who, day, secs) DO UPDATE SET n = r.n + EXCLUDED.n";

/*
 * The USSD sessions' days of the messages, in the order of the sessions'
 * locks.  A request's id is "PROVIDER/SESSION/HASH" with a hash of 16 hex
 * digits (bot/ussd.h): the session is all but its last 17 characters
 * (none of a shorter id, as SQLite's substr() gives).
 */
static const char SQL_USSD_DAYS[] =
    "SELECT DISTINCT hashtext(s), s, day FROM (SELECT "
    "left(channel_msg_id, greatest(length(channel_msg_id) - 17, 0)) AS s, "
    "dash_day(created_at) AS day FROM messages WHERE id = ANY($1::bigint[]) "
    "AND channel = 'ussd' AND direction = 'in' AND channel_msg_id IS NOT "
    "NULL) x ORDER BY 1, 2, 3";

static const char SQL_USSD_LOCK[] =
    "SELECT pg_advisory_xact_lock(hashtext('murojaat.dash_ussd'), "
    "$1::integer)";

static const char SQL_USSD_ADD[] =
    "INSERT INTO dash_ussd (session, day, prev) VALUES ($1, $2, "
    "(SELECT max(day) FROM dash_ussd WHERE session = $1 AND day < $2)) "
    "ON CONFLICT (session, day) DO NOTHING RETURNING prev";

static const char SQL_USSD_NEXT[] =
    "UPDATE dash_ussd SET prev = $2 WHERE session = $1 AND day = "
    "(SELECT min(day) FROM dash_ussd WHERE session = $1 AND day > $2) "
    "RETURNING day";

/* Days whose count of sessions first seen moves, and by how much. */
struct ussd_delta {
	char	(*day)[16];
	int64_t	*n;
	size_t	 len, cap;
};

static int
delta_add(struct ussd_delta *d, const char *day, int64_t n)
{
	size_t	i;

	for (i = 0; i < d->len; i++)
		if (strcmp(d->day[i], day) == 0) {
			d->n[i] += n;
			return 0;
		}
	if (strlen(day) >= sizeof(d->day[0]))
		return -1;		/* no day is: 'YYYY-MM-DD' */
	if (d->len == d->cap) {
		size_t	  cap = d->cap ? d->cap * 2 : 16;
		char	(*dd)[16] = realloc(d->day, cap * sizeof(*dd));
		int64_t	 *nn;

		if (dd == NULL)
			return -1;
		d->day = dd;
		if ((nn = realloc(d->n, cap * sizeof(*nn))) == NULL)
			return -1;
		d->n = nn;
		d->cap = cap;
	}
	snprintf(d->day[d->len], sizeof(d->day[0]), "%s", day);
	d->n[d->len++] = n;
	return 0;
}

/*
 * A session's new day: kept with the day before it (prev); first seen (no
 * day before) counts for the day, and the session's next day, if any,
 * then has this one before it and is no longer first.
 */
static enum mj_err
ussd_seen(struct store *st, struct ussd_delta *d, const char *session,
    const char *day)
{
	struct pgq	 p;
	PGresult	*r;
	int		 added, first;

	pgq_init(&p);
	pgq_str(&p, session);
	pgq_str(&p, day);
	if ((r = pg_exec(st, "rollup_ussd", SQL_USSD_ADD, &p)) == NULL)
		return MJ_EDB;
	added = PQntuples(r) > 0;
	first = added && pg_isnull(r, 0, 0);
	PQclear(r);
	if (!added)
		return MJ_OK;		/* the session's day is known */
	if (first && delta_add(d, day, 1) != 0)
		return MJ_ENOMEM;
	if ((r = pg_exec(st, "rollup_ussd", SQL_USSD_NEXT, &p)) == NULL)
		return MJ_EDB;
	if (PQntuples(r) > 0 && first &&
	    delta_add(d, pg_str(r, 0, 0), -1) != 0) {
		PQclear(r);
		return MJ_ENOMEM;
	}
	PQclear(r);
	return MJ_OK;
}

/* Every USSD session's day of the messages; d the counts that move. */
static enum mj_err
ussd_all(struct store *st, const char *ids, struct ussd_delta *d)
{
	struct pgq	 p;
	PGresult	*r;
	enum mj_err	 rc = MJ_OK;

	pgq_init(&p);
	pgq_fresh(&p);
	pgq_str(&p, ids);
	if ((r = pg_exec(st, "rollup_ussd", SQL_USSD_DAYS, &p)) == NULL)
		return MJ_EDB;
	for (int i = 0; rc == MJ_OK && i < PQntuples(r); i++) {
		if (i == 0 || strcmp(pg_str(r, i, 0), pg_str(r, i - 1, 0)) != 0) {
			pgq_init(&p);
			pgq_str(&p, pg_str(r, i, 0));
			rc = pg_do(st, "rollup_ussd", SQL_USSD_LOCK, &p);
		}
		if (rc == MJ_OK)
			rc = ussd_seen(st, d, pg_str(r, i, 1), pg_str(r, i, 2));
	}
	PQclear(r);
	return rc;
}

/* "{a,b}" of the deltas' days and of their numbers, into one buffer. */
static int
delta_arrays(const struct ussd_delta *d, char **days, char **nums)
{
	size_t	size = 3 + d->len * 24;
	size_t	a = 0, b = 0;

	*days = malloc(size);
	*nums = malloc(size);
	if (*days == NULL || *nums == NULL)
		return -1;
	(*days)[a++] = '{';
	(*nums)[b++] = '{';
	for (size_t i = 0; i < d->len; i++) {
		a += (size_t)snprintf(*days + a, size - a, "%s%s",
		    i > 0 ? "," : "", d->day[i]);
		b += (size_t)snprintf(*nums + b, size - b, "%s%lld",
		    i > 0 ? "," : "", (long long)d->n[i]);
	}
	snprintf(*days + a, size - a, "}");
	snprintf(*nums + b, size - b, "}");
	return 0;
}

enum mj_err
pg_rollup_ids(struct store *st, const int64_t *ids, size_t n)
{
	struct ussd_delta	 d = { 0 };
	struct pgq		 p;
	char			*buf, *days = NULL, *nums = NULL;
	size_t			 size = 3 + n * 21;
	enum mj_err		 rc;

	if (n == 0)
		return MJ_OK;
	if ((buf = malloc(size)) == NULL)
		return MJ_ENOMEM;
	if (pgq_ids(buf, size, ids, n) == NULL) {
		free(buf);
		return MJ_EINTERNAL;
	}
	pgq_init(&p);
	pgq_fresh(&p);
	pgq_str(&p, buf);
	if ((rc = ussd_all(st, buf, &d)) == MJ_OK &&
	    delta_arrays(&d, &days, &nums) != 0)
		rc = MJ_ENOMEM;
	if (rc == MJ_OK)
		rc = pg_do(st, "rollup_days", SQL_DAYS, &p);
	if (rc == MJ_OK) {
		pgq_str(&p, days);
		pgq_str(&p, nums);
		rc = pg_do(st, "rollup_counts", SQL_COUNTS, &p);
		p.n = 1;
	}
	if (rc == MJ_OK)
		rc = pg_do(st, "rollup_reply", SQL_REPLY, &p);
	free(days);
	free(nums);
	free(d.day);
	free(d.n);
	free(buf);
	return rc;
}
