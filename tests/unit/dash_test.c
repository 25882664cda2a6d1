/*
 * dash_test.c - the dashboard's daily roll-up (store/rollup.c, migration
 * 0017) against the definitions over the raw messages: random messages
 * over six weeks of Tashkent days (on and beside midnights, out of time
 * order now and then, today included), rolled up in random chunks with
 * some left after the cursor, with delivery reports and labels after the
 * roll-up; every figure of the dashboard for whole-day ranges compared
 * with the reference queries below (the dashboard's queries before the
 * roll-up).  Then the roll-up dropped and migration 0017 run again over
 * the same messages (its back-fill), compared again, and more messages on
 * top.  Last, what the roll-up costs a message in the group commit's
 * batches (printed, not checked; the release build's figure is the one to
 * read: cc -O2 ... build/rel/libmj.a).
 *
 * On PostgreSQL (MUROJAAT_TEST_PG) the messages go in with their
 * index_queue rows, as store_msg_add() writes them, and the indexer's
 * step is done here: a node takes queue rows (FOR UPDATE SKIP LOCKED, in
 * any order) and hands their messages to pg_rollup_ids() in the same
 * transaction, as pg_index.c does.  In place of 0017's back-fill the
 * roll-up is emptied, every message queued again and rolled up by two
 * nodes at once; a delivery report and a label racing the node that rolls
 * their message up are checked to count once; the cost printed is wall
 * time (the server's work is not the test's CPU time).
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "check.h"
#include "pgtest.h"
#include "store/helpdesk.h"
#include "store/index.h"
#include "store/pg_int.h"
#include "store/store.h"
#include "store/store_int.h"

#define NOW	1750000000LL	/* 2025-06-15 20:06:40 in Tashkent */
#define DAY	86400LL
#define SPAN	42		/* days of messages, today the last */
#define CONTACTS 40

static char	 target[300];	/* what store_open() opens */
static PGconn	*pgc;		/* PostgreSQL: the test's own connection */

/* Tashkent midnight ending today. */
static int64_t
tomorrow(void)
{
	return (NOW + 18000) / DAY * DAY - 18000 + DAY;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
pick(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

/* A connection of the test's own to the PostgreSQL database. */
static PGconn *
pg_conn(void)
{
	PGconn		*c = PQconnectdb(target);
	PGresult	*r;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "connect: %s", PQerrorMessage(c));
		check_failed++;
	}
	r = PQexec(c, "SET synchronous_commit = off");
	PQclear(r);
	return c;
}

/* SQL of the test's own: on the store's SQLite connection, or on pgc. */
static void
exec(struct store *st, const char *sql)
{
	char	*err = NULL;

	if (pgc != NULL) {
		PGresult	*r = PQexec(pgc, sql);

		if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_TUPLES_OK) {
			fprintf(stderr, "exec: %s: %s\n", PQerrorMessage(pgc),
			    sql);
			check_failed++;
		}
		PQclear(r);
		return;
	}
	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "exec: %s: %s\n", err, sql);
		check_failed++;
	}
	sqlite3_free(err);
}

static int64_t
scalar(struct store *st, const char *sql)
{
	sqlite3_stmt	*q;
	int64_t		 v = -1;

	if (pgc != NULL) {
		PGresult	*r = PQexec(pgc, sql);

		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
			v = PQgetisnull(r, 0, 0) ? 0 :
			    strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		else
			fprintf(stderr, "scalar: %s: %s\n",
			    PQerrorMessage(pgc), sql);
		PQclear(r);
		return v;
	}
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* Whether messages wait for the roll-up. */
static int
pending(struct store *st)
{
	if (pgc != NULL)
		return scalar(st, "SELECT count(*) FROM index_queue") > 0;
	return scalar(st, "SELECT max(id) FROM messages") >
	    scalar(st, "SELECT last_id FROM index_state WHERE name = 'dash'");
}

/*
 * PostgreSQL: the indexer's step on one node: up to max queue rows taken
 * (in id order, backwards, or at random: order 0, 1, 2) and their
 * messages rolled up in the same transaction; *ns the roll-up's wall time.
 */
static enum mj_err
node_roll(struct store *st, int max, int order, int *n, int64_t *ns)
{
	static const char *const take[] = {
	    "DELETE FROM index_queue WHERE message_id IN (SELECT message_id "
	    "FROM index_queue ORDER BY message_id LIMIT $1 FOR UPDATE SKIP "
	    "LOCKED) RETURNING message_id",
	    "DELETE FROM index_queue WHERE message_id IN (SELECT message_id "
	    "FROM index_queue ORDER BY message_id DESC LIMIT $1 FOR UPDATE "
	    "SKIP LOCKED) RETURNING message_id",
	    "DELETE FROM index_queue WHERE message_id IN (SELECT message_id "
	    "FROM index_queue ORDER BY random() LIMIT $1 FOR UPDATE SKIP "
	    "LOCKED) RETURNING message_id" };
	struct timespec	 t0, t1;
	struct pgq	 p;
	PGresult	*r;
	int64_t		*ids = NULL;
	enum mj_err	 rc;

	*n = 0;
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	pgq_init(&p);
	pgq_int(&p, max);
	if ((r = pg_exec(st, "take", take[order % 3], &p)) == NULL)
		rc = MJ_EDB;
	else {
		*n = PQntuples(r);
		if ((ids = calloc((size_t)*n + 1, sizeof(*ids))) == NULL)
			rc = MJ_ENOMEM;
		for (int i = 0; ids != NULL && i < *n; i++)
			ids[i] = pg_int(r, i, 0);
		PQclear(r);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (rc == MJ_OK)
		rc = pg_rollup_ids(st, ids, (size_t)*n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ns != NULL)
		*ns += (t1.tv_sec - t0.tv_sec) * 1000000000LL +
		    (t1.tv_nsec - t0.tv_nsec);
	free(ids);
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	return rc;
}

/* The roll-up brought up to date with up to max messages. */
static enum mj_err
roll(struct store *st, int max, int *n)
{
	if (pgc != NULL)
		return node_roll(st, max, pick(3), n, NULL);
	return store_index_pending(st, max, n);
}

/* ---- the reference: the dashboard's definitions over raw messages */
static const char *const REF[] = {
	/* HD_STAT_DAYS */
	"SELECT date(created_at + 18000, 'unixepoch') AS d, channel, "
	"sum(direction = 'in'), sum(direction = 'out'), "
	"sum(CASE WHEN direction = 'out' AND delivery IN ('sent', "
	"'delivered', 'sync') THEN coalesce(segments, 0) ELSE 0 END), "
	"sum(delivery = 'failed') FROM messages "
	"WHERE created_at >= ?1 AND created_at < ?2 "
	"GROUP BY d, channel ORDER BY d, channel",
	/* HD_STAT_INTENTS */
	"SELECT coalesce(intent, ''), count(*) FROM messages "
	"WHERE created_at >= ?1 AND created_at < ?2 AND direction = 'in' "
	"GROUP BY 1 ORDER BY 2 DESC, 1",
	/* HD_STAT_LANGS */
	"SELECT coalesce(lang, ''), count(*) FROM messages "
	"WHERE created_at >= ?1 AND created_at < ?2 AND direction = 'in' "
	"GROUP BY 1 ORDER BY 2 DESC, 1",
	/* HD_STAT_REVIEW */
	"SELECT count(*) FROM messages m WHERE "
	"m.created_at >= ?1 AND m.created_at < ?2 AND m.direction = 'in' "
	"AND m.review = 1 AND NOT EXISTS (SELECT 1 FROM message_labels l "
	"WHERE l.message_id = m.id)",
	/* HD_STAT_USSD */
	"SELECT count(DISTINCT substr(channel_msg_id, 1, "
	"length(channel_msg_id) - 17)) FROM messages "
	"WHERE channel = 'ussd' AND direction = 'in' AND "
	"channel_msg_id IS NOT NULL AND created_at >= ?1 AND created_at < ?2",
	/* HD_STAT_REPLY_SECS: bot, then agent, each value with its count */
	"SELECT w, s, count(*) FROM (SELECT 'bot' AS w, o.created_at - "
	"i.created_at AS s FROM messages o JOIN messages i ON "
	"i.id = o.reply_to WHERE o.created_at >= ?1 AND o.created_at < ?2 "
	"AND o.direction = 'out' "
	"UNION ALL SELECT 'agent', s FROM (SELECT o.created_at - "
	"(SELECT max(i.created_at) FROM messages i WHERE i.contact_id = "
	"o.contact_id AND i.direction = 'in' AND i.id < o.id) AS s "
	"FROM messages o WHERE o.created_at >= ?1 AND o.created_at < ?2 "
	"AND o.direction = 'out' AND o.intent = 'manual') "
	"WHERE s IS NOT NULL) GROUP BY w, s ORDER BY w = 'agent', s",
};
static const enum hd_stat_kind REF_KIND[] = { HD_STAT_DAYS, HD_STAT_INTENTS,
	HD_STAT_LANGS, HD_STAT_REVIEW, HD_STAT_USSD, HD_STAT_REPLY_SECS };


/*
 * The same in PostgreSQL's words, written apart from the store's (its day
 * from to_timestamp(), SQLite's substr() of a short id spelt out), text
 * ordered byte by byte as SQLite orders it.
 */
#define PG_DAY	"to_char(to_timestamp(created_at + 18000) AT TIME ZONE 'UTC', " \
		"'YYYY-MM-DD')"
static const char *const REF_PG[] = {
	/* HD_STAT_DAYS */
	"SELECT " PG_DAY " AS d, channel, "
	"sum((direction = 'in')::int), sum((direction = 'out')::int), "
	"sum(CASE WHEN direction = 'out' AND delivery IN ('sent', "
	"'delivered', 'sync') THEN coalesce(segments, 0) ELSE 0 END), "
	"sum((delivery = 'failed')::int) FROM messages "
	"WHERE created_at >= $1 AND created_at < $2 "
	"GROUP BY d, channel ORDER BY d, channel COLLATE \"C\"",
	/* HD_STAT_INTENTS */
	"SELECT coalesce(intent, ''), count(*) FROM messages "
	"WHERE created_at >= $1 AND created_at < $2 AND direction = 'in' "
	"GROUP BY 1 ORDER BY 2 DESC, coalesce(intent, '') COLLATE \"C\"",
	/* HD_STAT_LANGS */
	"SELECT coalesce(lang, ''), count(*) FROM messages "
	"WHERE created_at >= $1 AND created_at < $2 AND direction = 'in' "
	"GROUP BY 1 ORDER BY 2 DESC, coalesce(lang, '') COLLATE \"C\"",
	/* HD_STAT_REVIEW */
	"SELECT count(*) FROM messages m WHERE "
	"m.created_at >= $1 AND m.created_at < $2 AND m.direction = 'in' "
	"AND m.review = 1 AND NOT EXISTS (SELECT 1 FROM message_labels l "
	"WHERE l.message_id = m.id)",
	/* HD_STAT_USSD */
	"SELECT count(DISTINCT CASE WHEN length(channel_msg_id) > 17 THEN "
	"substr(channel_msg_id, 1, length(channel_msg_id) - 17) ELSE '' END) "
	"FROM messages WHERE channel = 'ussd' AND direction = 'in' AND "
	"channel_msg_id IS NOT NULL AND created_at >= $1 AND created_at < $2",
	/* HD_STAT_REPLY_SECS: bot, then agent, each value with its count */
	"SELECT w, s, count(*) FROM (SELECT 'bot' AS w, o.created_at - "
	"i.created_at AS s FROM messages o JOIN messages i ON "
	"i.id = o.reply_to WHERE o.created_at >= $1 AND o.created_at < $2 "
	"AND o.direction = 'out' "
	"UNION ALL SELECT 'agent', s FROM (SELECT o.created_at - "
	"(SELECT max(i.created_at) FROM messages i WHERE i.contact_id = "
	"o.contact_id AND i.direction = 'in' AND i.id < o.id) AS s "
	"FROM messages o WHERE o.created_at >= $1 AND o.created_at < $2 "
	"AND o.direction = 'out' AND o.intent = 'manual') a "
	"WHERE s IS NOT NULL) x GROUP BY w, s ORDER BY w = 'agent', s",
};

/* Every row of the reference as "a|b|c;" text. */
static void
ref_text(struct store *st, int k, int64_t from, int64_t to, char *out,
    size_t len)
{
	sqlite3_stmt	*q;
	size_t		 o = 0;

	out[0] = '\0';
	if (pgc != NULL) {
		char		 a[32], b[32];
		const char	*v[2] = { a, b };
		PGresult	*r;

		snprintf(a, sizeof(a), "%lld", (long long)from);
		snprintf(b, sizeof(b), "%lld", (long long)to);
		r = PQexecParams(pgc, REF_PG[k], 2, NULL, v, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			fprintf(stderr, "ref: %s\n", PQerrorMessage(pgc));
			check_failed++;
		}
		for (int i = 0; i < PQntuples(r) && o + 128 < len; i++) {
			for (int c = 0; c < PQnfields(r); c++)
				o += (size_t)snprintf(out + o, len - o, "%s%s",
				    c > 0 ? "|" : "", PQgetvalue(r, i, c));
			o += (size_t)snprintf(out + o, len - o, ";");
		}
		PQclear(r);
		return;
	}
	if (sqlite3_prepare_v2(st->db, REF[k], -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "ref: %s\n", sqlite3_errmsg(st->db));
		check_failed++;
		return;
	}
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_int64(q, 2, to);
	while (sqlite3_step(q) == SQLITE_ROW && o + 128 < len) {
		for (int c = 0; c < sqlite3_column_count(q); c++) {
			const unsigned char *t = sqlite3_column_text(q, c);

			o += (size_t)snprintf(out + o, len - o, "%s%s",
			    c > 0 ? "|" : "", t != NULL ? (const char *)t : "");
		}
		o += (size_t)snprintf(out + o, len - o, ";");
	}
	sqlite3_finalize(q);
}
struct got {
	char	*buf;
	size_t	 len, o;
	int	 cols;
};

static int
got_row(void *arg, const struct hd_stat *s)
{
	struct got	*g = arg;

	if (g->o + 128 >= g->len)
		return 1;
	switch (g->cols) {
	case 6:
		g->o += (size_t)snprintf(g->buf + g->o, g->len - g->o,
		    "%s|%s|%lld|%lld|%lld|%lld;", s->k1, s->k2,
		    (long long)s->v[0], (long long)s->v[1], (long long)s->v[2],
		    (long long)s->v[3]);
		break;
	case 2:
		g->o += (size_t)snprintf(g->buf + g->o, g->len - g->o,
		    "%s|%lld;", s->k1, (long long)s->v[0]);
		break;
	case 1:
		g->o += (size_t)snprintf(g->buf + g->o, g->len - g->o,
		    "%lld;", (long long)s->v[0]);
		break;
	default:	/* reply seconds */
		g->o += (size_t)snprintf(g->buf + g->o, g->len - g->o,
		    "%s|%lld|%lld;", s->k1, (long long)s->v[0],
		    (long long)s->v[1]);
	}
	return 0;
}

static int compared;

/* Every figure for [from, to), the store's against the reference. */
static void
compare(struct store *st, int64_t from, int64_t to, const char *when)
{
	static char	want[1 << 16], have[1 << 16];
	static const int cols[] = { 6, 2, 2, 1, 1, 3 };

	for (int k = 0; k < 6; k++) {
		struct got	g = { have, sizeof(have), 0, cols[k] };

		have[0] = '\0';
		ref_text(st, k, from, to, want, sizeof(want));
		CHECK_INT(store_hd_stats(st, REF_KIND[k], from, to, got_row,
		    &g), MJ_OK);
		if (strcmp(want, have) != 0) {
			fprintf(stderr, "%s: kind %d [%lld, %lld):\n want %.600s\n"
			    " have %.600s\n", when, k, (long long)from,
			    (long long)to, want, have);
			check_failed++;
		} else
			check_passed++;
		compared++;
	}
}

/* Whole-day ranges ending today, and some in the past. */
static void
compare_all(struct store *st, const char *when)
{
	static const int ndays[] = { 1, 2, 3, 7, 30, SPAN + 2, 366 };

	for (size_t i = 0; i < sizeof(ndays) / sizeof(ndays[0]); i++)
		compare(st, tomorrow() - ndays[i] * DAY, tomorrow(), when);
	for (int i = 0; i < 6; i++) {
		int64_t	a = tomorrow() - (1 + pick(SPAN + 1)) * DAY;
		int64_t	b = a + (1 + pick(10)) * DAY;

		compare(st, a, b, when);
	}
	/* not whole days: the raw path, the same answers */
	compare(st, NOW - 3 * DAY + 77, NOW - 5, when);
}

static int64_t next_msg = 1;

/* A time: mostly in order, now and then anywhere, often on a midnight. */
static int64_t
when_at(int64_t k, int64_t total)
{
	int64_t	start = tomorrow() - SPAN * DAY;
	int64_t	t = start + (NOW - start) * k / total;

	switch (pick(10)) {
	case 0:
		t = start + pick(SPAN) * DAY + (pick(3) - 1);
		break;
	case 1:
		t = start + (int64_t)(rnd() % (uint64_t)(NOW - start));
		break;
	}
	return t > NOW ? NOW : t;
}

/* A message's columns; NULL, or 0 for reply_to and segments: SQL NULL. */
struct msgv {
	int		 contact;
	const char	*dir, *chan, *mid;
	int64_t		 reply_to;
	const char	*body, *lang, *intent, *deliv;
	int		 segs;
	int64_t		 at;
	int		 review;
};

static const char SQL_PUT[] = "INSERT INTO messages (contact_id, "
    "direction, channel, channel_msg_id, req, reply_to, body, lang, "
    "intent, delivery, segments, created_at, review) VALUES (?1, ?2, "
    "?3, ?4, 'r', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/* On PostgreSQL with its queue row, as store_msg_add() writes it. */
static const char SQL_PUT_PG[] = "WITH m AS (INSERT INTO messages "
    "(contact_id, direction, channel, channel_msg_id, req, reply_to, body, "
    "lang, intent, delivery, segments, created_at, review) VALUES ($1, $2, "
    "$3, $4, 'r', $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id), "
    "q AS (INSERT INTO index_queue (message_id) SELECT id FROM m) "
    "SELECT id FROM m";

/* One message (through q, SQL_PUT, on SQLite); its id, or 0. */
static int64_t
put_msg(struct store *st, sqlite3_stmt *q, const struct msgv *m)
{
	int64_t	id = 0;

	if (pgc != NULL) {
		char		 num[5][32];
		const char	*v[12];
		PGresult	*r;

		snprintf(num[0], sizeof(num[0]), "%d", m->contact);
		snprintf(num[1], sizeof(num[1]), "%lld",
		    (long long)m->reply_to);
		snprintf(num[2], sizeof(num[2]), "%d", m->segs);
		snprintf(num[3], sizeof(num[3]), "%lld", (long long)m->at);
		snprintf(num[4], sizeof(num[4]), "%d", m->review);
		v[0] = num[0];
		v[1] = m->dir;
		v[2] = m->chan;
		v[3] = m->mid;
		v[4] = m->reply_to != 0 ? num[1] : NULL;
		v[5] = m->body;
		v[6] = m->lang;
		v[7] = m->intent;
		v[8] = m->deliv;
		v[9] = m->segs != 0 ? num[2] : NULL;
		v[10] = num[3];
		v[11] = num[4];
		r = PQexecParams(pgc, SQL_PUT_PG, 12, NULL, v, NULL, NULL, 0);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		else {
			fprintf(stderr, "put: %s", PQerrorMessage(pgc));
			check_failed++;
		}
		PQclear(r);
		return id;
	}
	sqlite3_bind_int(q, 1, m->contact);
	sqlite3_bind_text(q, 2, m->dir, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, m->chan, -1, SQLITE_TRANSIENT);
	if (m->mid != NULL)
		sqlite3_bind_text(q, 4, m->mid, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, 4);
	if (m->reply_to != 0)
		sqlite3_bind_int64(q, 5, m->reply_to);
	else
		sqlite3_bind_null(q, 5);
	sqlite3_bind_text(q, 6, m->body, -1, SQLITE_TRANSIENT);
	if (m->lang != NULL)
		sqlite3_bind_text(q, 7, m->lang, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, 7);
	if (m->intent != NULL)
		sqlite3_bind_text(q, 8, m->intent, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, 8);
	sqlite3_bind_text(q, 9, m->deliv, -1, SQLITE_TRANSIENT);
	if (m->segs != 0)
		sqlite3_bind_int(q, 10, m->segs);
	else
		sqlite3_bind_null(q, 10);
	sqlite3_bind_int64(q, 11, m->at);
	sqlite3_bind_int(q, 12, m->review);
	if (sqlite3_step(q) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(st->db);
	else
		check_failed++;
	sqlite3_reset(q);
	return id;
}

/* n messages (with replies) in one transaction. */
static void
add_batch(struct store *st, int n, int64_t *k, int64_t total)
{
	static const char *const chans[] = { "sms", "telegram", "ussd",
	    "aggregator" };
	static const char *const intents[] = { "status_check", "unknown",
	    "greeting", "human_operator", NULL };
	static const char *const langs[] = { "uz-Latn", "ru", "uz-Cyrl", NULL };
	static const char *const deliv[] = { "queued", "sent", "delivered",
	    "failed", "sync" };
	sqlite3_stmt	*q = NULL;

	exec(st, pgc != NULL ? "BEGIN" : "BEGIN IMMEDIATE");
	if (pgc == NULL && sqlite3_prepare_v2(st->db, SQL_PUT, -1, &q,
	    NULL) != SQLITE_OK) {
		check_failed++;
		return;
	}
	for (int i = 0; i < n; i++, (*k)++) {
		struct msgv	 m = { .dir = "in" };
		const char	*in;
		int64_t		 at, in_id;
		char		 mid[64], body[32];

		m.contact = 1 + pick(CONTACTS);
		m.chan = chans[m.contact % 4];
		m.intent = in = intents[pick(5)];
		m.at = at = when_at(*k, total);
		if (strcmp(m.chan, "ussd") == 0 && pick(8) != 0) {
			/* a few sessions over many days; some ids too short */
			if (pick(10) == 0)
				snprintf(mid, sizeof(mid), "s%lld",
				    (long long)next_msg);
			else
				snprintf(mid, sizeof(mid), "at/S%d/%016llx",
				    pick(12), (unsigned long long)next_msg);
			m.mid = mid;
		}
		snprintf(body, sizeof(body), "text %d", pick(20));
		m.body = body;
		if (langs[pick(4)] != NULL)
			m.lang = langs[pick(3)];
		m.deliv = pick(30) == 0 ? "failed" : "received";
		m.review = (in != NULL && strcmp(in, "unknown") == 0) ||
		    pick(20) == 0;
		in_id = put_msg(st, q, &m);
		next_msg++;
		/* the bot's reply, an agent's, a notice, or none */
		{
			int	r = pick(20);

			if (r >= 17)
				continue;
			m.dir = "out";
			m.mid = NULL;
			m.reply_to = r < 14 ? in_id : 0;
			m.intent = r < 14 ? "greeting" : r < 16 ? "manual" :
			    "notice";
			m.deliv = deliv[pick(5)];
			m.segs = pick(3) != 0 ? 1 + pick(3) : 0;
			m.at = at + (r < 14 ? pick(3) : pick(5000));
			m.review = 0;
			put_msg(st, q, &m);
			next_msg++;
		}
	}
	sqlite3_finalize(q);
	exec(st, "COMMIT");
}

/* Delivery reports and labels on messages rolled up or not. */
static void
changes(struct store *st)
{
	static const char *const deliv[] = { "sent", "delivered", "failed",
	    "buffered" };
	char	sql[256];

	exec(st, pgc != NULL ? "BEGIN" : "BEGIN IMMEDIATE");
	for (int i = 0; i < 8; i++) {
		snprintf(sql, sizeof(sql), "UPDATE messages SET delivery = '%s' "
		    "WHERE id = %lld AND direction = 'out'", deliv[pick(4)],
		    (long long)(1 + pick((int)next_msg)));
		exec(st, sql);
	}
	for (int i = 0; i < 3; i++) {
		/* the help desk's upsert: a relabel keeps the label */
		snprintf(sql, sizeof(sql), "INSERT INTO message_labels "
		    "(message_id, intent, staff_id, labelled_at) SELECT id, "
		    "'greeting', 1, 0 FROM messages WHERE id >= %lld AND "
		    "review = 1 ORDER BY id LIMIT 1 ON CONFLICT (message_id) "
		    "DO UPDATE SET intent = 'thanks'",
		    (long long)(1 + pick((int)next_msg)));
		exec(st, sql);
	}
	if (pick(4) == 0) {
		snprintf(sql, sizeof(sql), "DELETE FROM message_labels WHERE "
		    "message_id = (SELECT max(message_id) FROM message_labels "
		    "WHERE message_id <= %lld)",
		    (long long)(1 + pick((int)next_msg)));
		exec(st, sql);
	}
	exec(st, "COMMIT");
}

/* PostgreSQL: a node draining the queue in chunks of size. */
struct node {
	struct store	*st;
	int		 size, order;
	int		 n;
	enum mj_err	 rc;
};

static void *
node_drain(void *arg)
{
	struct node	*nd = arg;
	int		 got;

	do {
		nd->rc = node_roll(nd->st, nd->size, nd->order, &got, NULL);
		nd->n += got;
	} while (nd->rc == MJ_OK && got > 0);
	return NULL;
}

/* PostgreSQL: a statement another connection runs, maybe after a wait. */
struct other {
	char	sql[256];
	int	ok;
	int	done;
};

static void *
other_run(void *arg)
{
	struct other	*o = arg;
	PGconn		*c = pg_conn();
	PGresult	*r = PQexec(c, o->sql);

	o->ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!o->ok)
		fprintf(stderr, "other: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	__atomic_store_n(&o->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * PostgreSQL: message id's queue row taken and the message rolled up by
 * st, while another connection runs sql (on that message): sql waits for
 * the roll-up to commit, then moves what it counted.
 */
static void
race_roll(struct store *st, int64_t id, const char *sql, const char *when)
{
	struct other	 o = { .ok = 0 };
	struct pgq	 p;
	PGresult	*r;
	pthread_t	 t;

	CHECK_INT(store_begin(st), MJ_OK);
	pgq_init(&p);
	pgq_int(&p, id);
	r = pg_exec(st, "take", "DELETE FROM index_queue WHERE message_id = "
	    "$1 RETURNING message_id", &p);
	CHECK(r != NULL && PQntuples(r) == 1);
	PQclear(r);
	CHECK_INT(pg_rollup_ids(st, &id, 1), MJ_OK);
	snprintf(o.sql, sizeof(o.sql), "%s", sql);
	CHECK_INT(pthread_create(&t, NULL, other_run, &o), 0);
	usleep(300 * 1000);
	CHECK_INT(__atomic_load_n(&o.done, __ATOMIC_SEQ_CST), 0);
	CHECK_INT(store_end(st, 1), MJ_OK);
	pthread_join(t, NULL);
	CHECK_INT(o.ok, 1);
	compare_all(st, when);
}

/*
 * PostgreSQL: a change whose trigger holds the message's queue row (not
 * committed yet) while a node rolls up: the node leaves the message, and
 * counts it as changed once the change commits.
 */
static void
race_skip(struct store *st, int64_t id, const char *sql, const char *when)
{
	PGconn	*c = pg_conn();
	int	 n;

	CHECK(id > 0);
	PQclear(PQexec(c, "BEGIN"));
	PQclear(PQexec(c, sql));
	CHECK_INT(node_roll(st, 1000, 0, &n, NULL), MJ_OK);
	CHECK_INT(n, 0);
	CHECK_INT(scalar(st, "SELECT count(*) FROM index_queue"), 1);
	PQclear(PQexec(c, "COMMIT"));
	PQfinish(c);
	CHECK_INT(node_roll(st, 1000, 0, &n, NULL), MJ_OK);
	CHECK_INT(n, 1);
	compare_all(st, when);
}

/*
 * PostgreSQL, in place of the back-fill: the roll-up emptied, every
 * message queued again and rolled up by two nodes at once (sessions of
 * USSD over many days among them); the races of a delivery report and a
 * label with the node that rolls their message up; then more messages
 * rolled up by either node.
 */
static void
test_nodes(struct store *st, int64_t *k, int64_t *total)
{
	struct msgv	 m = { .contact = 1, .dir = "out", .chan = "sms",
	    .body = "r", .intent = "greeting", .deliv = "queued", .segs = 2,
	    .at = NOW - 100 };
	struct store	*st2 = NULL;
	struct node	 a = { .size = 37, .order = 0 },
			 b = { .size = 53, .order = 2 };
	pthread_t	 ta, tb;
	int64_t		 id;
	int		 n;
	char		 q[256];

	CHECK_INT(store_open(&st2, target), MJ_OK);
	if (st2 == NULL)
		return;
	exec(st, "TRUNCATE dash_days, dash_counts, dash_reply, dash_ussd; "
	    "INSERT INTO index_queue (message_id) SELECT id FROM messages");
	compare_all(st, "all queued");
	a.st = st;
	b.st = st2;
	CHECK_INT(pthread_create(&ta, NULL, node_drain, &a), 0);
	CHECK_INT(pthread_create(&tb, NULL, node_drain, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK_INT(a.rc, MJ_OK);
	CHECK_INT(b.rc, MJ_OK);
	CHECK(a.n > 0 && b.n > 0);
	CHECK_INT(a.n + b.n, scalar(st, "SELECT count(*) FROM messages"));
	CHECK_INT(pending(st), 0);
	compare_all(st, "rolled up again by two nodes");

	id = put_msg(st, NULL, &m);
	snprintf(q, sizeof(q), "UPDATE messages SET delivery = 'delivered' "
	    "WHERE id = %lld", (long long)id);
	race_roll(st, id, q, "a delivery while rolled up");
	id = put_msg(st, NULL, &(struct msgv){ .contact = 2, .dir = "in",
	    .chan = "telegram", .body = "nima", .intent = "unknown",
	    .deliv = "received", .at = NOW - 50, .review = 1 });
	snprintf(q, sizeof(q), "INSERT INTO message_labels (message_id, "
	    "intent, staff_id, labelled_at) VALUES (%lld, 'greeting', 1, 0)",
	    (long long)id);
	race_roll(st, id, q, "a label while rolled up");
	id = put_msg(st, NULL, &(struct msgv){ .contact = 3, .dir = "in",
	    .chan = "sms", .body = "xyz", .intent = "unknown",
	    .deliv = "received", .at = NOW - 40, .review = 1 });
	snprintf(q, sizeof(q), "INSERT INTO message_labels (message_id, "
	    "intent, staff_id, labelled_at) VALUES (%lld, 'greeting', 1, 0)",
	    (long long)id);
	exec(st, q);
	snprintf(q, sizeof(q), "DELETE FROM message_labels WHERE message_id "
	    "= %lld", (long long)id);
	race_roll(st, id, q, "a label taken away while rolled up");
	id = put_msg(st, NULL, &m);
	snprintf(q, sizeof(q), "UPDATE messages SET delivery = 'failed' "
	    "WHERE id = %lld", (long long)id);
	race_skip(st, id, q, "a delivery before the roll-up");

	*total += 1000;
	while (*k < *total) {
		add_batch(st, 1 + pick(60), k, *total);
		changes(st);
		if (pick(2) == 0)
			CHECK_INT(node_roll(pick(2) ? st : st2, 1 + pick(300),
			    pick(3), &n, NULL), MJ_OK);
	}
	compare_all(st, "after two nodes");
	store_close(st2);
}

static void
test_rollup(const char *path)
{
	struct store	*st;
	int64_t		 k = 0, total = 3000;
	int		 n, lagged = 0;

	CHECK_INT(store_open(&st, path), MJ_OK);
	if (pgc == NULL)
		exec(st, "PRAGMA synchronous = OFF");
	exec(st, "INSERT INTO staff (username, role, pw_hash, created_at) "
	    "VALUES ('s', 'agent', 'x', 0)");
	for (int c = 1; c <= CONTACTS; c++) {
		char	sql[200];

		snprintf(sql, sizeof(sql), "INSERT INTO contacts (channel, "
		    "address, created_at, updated_at) VALUES ('sms', '+99890%07d', "
		    "0, 0)", c);
		exec(st, sql);
	}
	compare_all(st, "empty");
	while (k < total) {
		add_batch(st, 1 + pick(60), &k, total);
		changes(st);
		if (pick(10) < 7)
			CHECK_INT(roll(st, 1 + pick(300), &n), MJ_OK);
		if (pending(st))
			lagged++;
		if (pick(8) == 0)
			compare_all(st, "rolling");
	}
	compare_all(st, "lagging");
	CHECK(lagged > 0);
	while (roll(st, 500, &n) == MJ_OK && n > 0)
		;
	CHECK_INT(pending(st), 0);
	compare_all(st, "caught up");
	changes(st);
	compare_all(st, "reports after");
	/* the roll-up holds what it should: every day, sessions seen again */
	CHECK(scalar(st, "SELECT count(DISTINCT day) FROM dash_days") >=
	    SPAN - 1);
	CHECK(scalar(st, "SELECT count(*) FROM dash_ussd WHERE prev IS "
	    "NOT NULL") > 10);
	CHECK(scalar(st, "SELECT sum(n) FROM dash_reply WHERE who = "
	    "'agent'") > 10);
	if (pgc != NULL) {
		/* no cursor on PostgreSQL: nothing for this call to do */
		CHECK_INT(store_rollup_pending(st, 100, &n), MJ_OK);
		CHECK_INT(n, 0);
		test_nodes(st, &k, &total);
		store_close(st);
		printf("dash: %d comparisons over %lld messages\n", compared,
		    (long long)(next_msg - 1));
		return;
	}

	/* migration 0017 again, over the same messages: its back-fill */
	exec(st, "DROP TABLE dash_days; DROP TABLE dash_counts; "
	    "DROP TABLE dash_reply; DROP TABLE dash_ussd; "
	    "DROP INDEX messages_review; "
	    "DROP TRIGGER messages_dash_delivery; "
	    "DROP TRIGGER message_labels_dash_insert; "
	    "DROP TRIGGER message_labels_dash_delete; "
	    "DELETE FROM index_state WHERE name = 'dash'; "
	    "DELETE FROM schema_migrations WHERE version = 17");
	store_close(st);
	CHECK_INT(store_open(&st, path), MJ_OK);
	exec(st, "PRAGMA synchronous = OFF");
	CHECK_INT(scalar(st, "SELECT last_id FROM index_state WHERE "
	    "name = 'dash'"), scalar(st, "SELECT max(id) FROM messages"));
	compare_all(st, "back-filled");
	total += 1000;
	while (k < total) {
		add_batch(st, 1 + pick(60), &k, total);
		changes(st);
		if (pick(2) == 0)
			CHECK_INT(store_index_pending(st, 1 + pick(300), &n),
			    MJ_OK);
	}
	compare_all(st, "after back-fill");
	store_close(st);
	printf("dash: %d comparisons over %lld messages\n", compared,
	    (long long)(next_msg - 1));
}

/*
 * PostgreSQL: what pg_rollup_ids() costs a message in batches of b of one
 * day, in wall time (the server's work included), the best of 2 rounds.
 */
static void
measure_pg(const char *path)
{
	static const int sizes[] = { 1, 8, 32, 128 };
	struct store	*st;
	int64_t		 at = NOW;

	CHECK_INT(store_open(&st, path), MJ_OK);
	exec(st, "INSERT INTO contacts (channel, address, created_at, "
	    "updated_at) SELECT 'sms', '+99891' || g, 0, 0 FROM "
	    "generate_series(1000000, 1000999) g");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double	best = 1e18;

		for (int round = 0; round < 2; round++) {
			int64_t	ns = 0;
			int	msgs = 0, n;

			for (int b = 0; msgs < 512; b++) {
				char	sql[900];

				snprintf(sql, sizeof(sql), "WITH m AS (INSERT "
				    "INTO messages (contact_id, direction, "
				    "channel, req, reply_to, body, lang, intent, "
				    "delivery, segments, created_at, review) "
				    "SELECT 1 + (g * 7 + %d) %% 1000, CASE g %% 2 "
				    "WHEN 0 THEN 'in' ELSE 'out' END, 'sms', 'r', "
				    "NULL, 'arizam holati', 'uz-Latn', CASE g %% 5 "
				    "WHEN 0 THEN 'unknown' ELSE 'status_check' "
				    "END, CASE g %% 2 WHEN 0 THEN 'received' ELSE "
				    "'sync' END, 1, %lld, (g %% 5 = 0)::int FROM "
				    "generate_series(1, %d) g RETURNING id) "
				    "INSERT INTO index_queue (message_id) SELECT "
				    "id FROM m", b, (long long)at++, sizes[s]);
				exec(st, sql);
				CHECK_INT(node_roll(st, 1000, 0, &n, &ns),
				    MJ_OK);
				CHECK_INT(n, sizes[s]);
				msgs += sizes[s];
			}
			if ((double)ns / msgs < best)
				best = (double)ns / msgs;
		}
		printf("dash: batches of %3d: roll-up %.2f us a message "
		    "(wall time)\n", sizes[s], best / 1000.0);
	}
	store_close(st);
}

/*
 * The roll-up's share of a group commit: batches of b messages of one day
 * inserted, then rolled up in the same transaction, then the rest of the
 * indexing (conversations, search), each timed in CPU time (the machine
 * may be busy); the best of 3 rounds.
 */
static void
measure(const char *path)
{
	static const int sizes[] = { 1, 8, 32, 128 };
	struct store	*st;
	int64_t		 at = NOW;

	if (pgc != NULL) {
		measure_pg(path);
		return;
	}
	CHECK_INT(store_open(&st, path), MJ_OK);
	exec(st, "PRAGMA synchronous = OFF");
	exec(st, "WITH RECURSIVE s(value) AS (SELECT 1000000 UNION ALL "
	    "SELECT value + 1 FROM s WHERE value < 1000999) "
	    "INSERT INTO contacts (channel, address, created_at, updated_at) "
	    "SELECT 'sms', '+99891' || value, 0, 0 FROM s");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double	best_ru = 1e18, best_ix = 1e18;

		for (int round = 0; round < 3; round++) {
			double	ru = 0, ix = 0;
			int	msgs = 0, n;

			for (int b = 0; msgs < 2048; b++) {
				struct timespec	t0, t1, t2;
				char		sql[700];

				CHECK_INT(store_begin(st), MJ_OK);
				snprintf(sql, sizeof(sql), "WITH RECURSIVE "
				    "s(value) AS (SELECT 1 UNION ALL SELECT "
				    "value + 1 FROM s WHERE value < %d) INSERT "
				    "INTO messages (contact_id, direction, "
				    "channel, req, reply_to, body, lang, intent, "
				    "delivery, segments, created_at, review) "
				    "SELECT 1 + (value * 7 + %d) %% 1000, CASE "
				    "value %% 2 WHEN 0 THEN 'in' ELSE 'out' END, "
				    "'sms', 'r', NULL, 'arizam holati', "
				    "'uz-Latn', CASE value %% 5 WHEN 0 THEN "
				    "'unknown' ELSE 'status_check' END, CASE "
				    "value %% 2 WHEN 0 THEN 'received' ELSE "
				    "'sync' END, 1, %lld, value %% 5 = 0 FROM s",
				    sizes[s], b, (long long)at++);
				exec(st, sql);
				clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
				CHECK_INT(store_rollup_pending(st, 1000, &n),
				    MJ_OK);
				clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
				CHECK_INT(store_index_here(st, 1000, &n),
				    MJ_OK);
				clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t2);
				CHECK_INT(store_end(st, 1), MJ_OK);
				ru += (double)(t1.tv_sec - t0.tv_sec) * 1e9 +
				    (double)(t1.tv_nsec - t0.tv_nsec);
				ix += (double)(t2.tv_sec - t1.tv_sec) * 1e9 +
				    (double)(t2.tv_nsec - t1.tv_nsec);
				msgs += sizes[s];
			}
			if (ru / msgs < best_ru)
				best_ru = ru / msgs;
			if (ix / msgs < best_ix)
				best_ix = ix / msgs;
		}
		printf("dash: batches of %3d: roll-up %.2f us a message, the "
		    "rest of the indexing %.2f us\n", sizes[s],
		    best_ru / 1000.0, best_ix / 1000.0);
	}
	store_close(st);
}

int
main(void)
{
	char	dir[] = "/tmp/dash_testXXXXXX", p[2][128];

	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(p[0], sizeof(p[0]), "%s/a.db", dir);
	snprintf(p[1], sizeof(p[1]), "%s/b.db", dir);
	for (int i = 0; i < 2; i++) {
		test_store_target(target, sizeof(target), p[i]);
		if (test_pg())
			pgc = pg_conn();
		if (i == 0)
			test_rollup(target);
		else
			measure(target);
		if (pgc != NULL)
			PQfinish(pgc);
		pgc = NULL;
	}
	for (int i = 0; i < 2; i++) {
		char	side[160];

		unlink(p[i]);
		snprintf(side, sizeof(side), "%s-wal", p[i]);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", p[i]);
		unlink(side);
	}
	rmdir(dir);
	return check_done("dash_test");
}
