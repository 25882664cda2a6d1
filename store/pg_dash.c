/*
 * pg_dash.c - dash.c on PostgreSQL: the dashboard's figures over
 * [from, to).  A range of whole Tashkent days reads the daily roll-up
 * (pg_rollup.c) plus the messages still in index_queue, which no indexer
 * has counted yet, counted from messages themselves in the same statement
 * (so in one snapshot: a message is in the queue or in the roll-up, never
 * both, never neither).  Any other range, and the list of texts not
 * understood, read the messages.  The definitions are dash.c's; text is
 * ordered byte by byte (COLLATE "C", as SQLite orders) and lowered in
 * ASCII only (SQLite's lower()), so both backends give the same lists.
 */
#include <string.h>

#include "store/dash_int.h"
#include "store/pg_dash.h"
#include "store/pg_int.h"
#include "store/store_int.h"

/* SQLite's lower(): ASCII letters only. */
#define ALOWER(x) "translate(" x ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', " \
		"'abcdefghijklmnopqrstuvwxyz')"
/* A USSD request's session: its id but the last 17 characters (dash.c). */
#define SESSION	"left(channel_msg_id, greatest(length(channel_msg_id) - 17, 0))"
#define SEGS	"CASE WHEN direction = 'out' AND delivery IN ('sent', " \
		"'delivered', 'sync') THEN coalesce(segments, 0) ELSE 0 END"

static const char SQL_ST_DAYS[] =
    "SELECT dash_day(created_at), channel, "
    "count(*) FILTER (WHERE direction = 'in'), "
    "count(*) FILTER (WHERE direction = 'out'), sum(" SEGS "), "
    "count(*) FILTER (WHERE delivery = 'failed') FROM messages "
    "WHERE created_at >= $1 AND created_at < $2 "
    "GROUP BY 1, 2 ORDER BY 1, channel COLLATE \"C\"";

static const char SQL_ST_INTENTS[] =
    "SELECT coalesce(intent, ''), count(*) FROM messages "
    "WHERE created_at >= $1 AND created_at < $2 AND direction = 'in' "
    "GROUP BY 1 ORDER BY 2 DESC, coalesce(intent, '') COLLATE \"C\"";

static const char SQL_ST_LANGS[] =
    "SELECT coalesce(lang, ''), count(*) FROM messages "
    "WHERE created_at >= $1 AND created_at < $2 AND direction = 'in' "
    "GROUP BY 1 ORDER BY 2 DESC, coalesce(lang, '') COLLATE \"C\"";

/*
 * Messages to label, the same text together, among the latest
 * HD_UNKNOWN_SCAN of the range up for review (newest first through the
 * partial index messages_review); a text labelled once is left out.
 */
#define STR_(x)	#x
#define STR(x)	STR_(x)
static const char SQL_ST_UNKNOWN[] =
    "SELECT b, n, last, (SELECT coalesce(intent, '') FROM messages "
    "WHERE id = last), (SELECT coalesce(nlu_prob, 0) FROM messages "
    "WHERE id = last) FROM (SELECT b, count(*) AS n, max(id) AS last "
    "FROM (SELECT m.id, " ALOWER("trim(m.body)") " AS b FROM messages m "
    "WHERE m.created_at >= $1 AND m.created_at < $2 AND "
    "m.direction = 'in' AND m.review = 1 ORDER BY m.created_at DESC, "
    "m.id DESC LIMIT " STR(HD_UNKNOWN_SCAN) ") r GROUP BY b) g "
    "WHERE b NOT IN (SELECT " ALOWER("trim(x.body)") " FROM "
    "message_labels l JOIN messages x ON x.id = l.message_id) "
    "ORDER BY n DESC, b COLLATE \"C\" LIMIT 20";

static const char SQL_ST_REVIEW[] =
    "SELECT count(*) FROM messages m WHERE "
    "m.created_at >= $1 AND m.created_at < $2 AND m.direction = 'in' "
    "AND m.review = 1 AND NOT EXISTS (SELECT 1 FROM message_labels l "
    "WHERE l.message_id = m.id)";

static const char SQL_ST_USSD[] =
    "SELECT count(DISTINCT " SESSION ") FROM messages "
    "WHERE channel = 'ussd' AND direction = 'in' AND "
    "channel_msg_id IS NOT NULL AND created_at >= $1 AND created_at < $2";

static const char SQL_ST_REPLY_BOT[] =
    "SELECT o.created_at - i.created_at, count(*) "
    "FROM messages o JOIN messages i ON i.id = o.reply_to "
    "WHERE o.created_at >= $1 AND o.created_at < $2 AND "
    "o.direction = 'out' GROUP BY 1 ORDER BY 1";

static const char SQL_ST_REPLY_AGENT[] =
    "SELECT s, count(*) FROM (SELECT o.created_at - (SELECT "
    "max(i.created_at) FROM messages i WHERE i.contact_id = "
    "o.contact_id AND i.direction = 'in' AND i.id < o.id) AS s "
    "FROM messages o WHERE o.created_at >= $1 AND o.created_at < $2 "
    "AND o.direction = 'out' AND o.intent = 'manual') a "
    "WHERE s IS NOT NULL GROUP BY s ORDER BY s";

/*
 * The same from the roll-up, for whole days: $1 and $2 at Tashkent
 * midnights.  live: the messages of [$1, $2) still in index_queue, read
 * once.
 */
#define LIVE	"WITH live AS MATERIALIZED (SELECT m.* FROM index_queue q " \
		"JOIN messages m ON m.id = q.message_id WHERE " \
		"m.created_at >= $1 AND m.created_at < $2) "
#define DAYS	"day >= dash_day($1) AND day < dash_day($2)"

static const char SQL_RU_DAYS[] = LIVE
    "SELECT day, channel, sum(a), sum(b), sum(c), sum(d) FROM ("
    "SELECT day, channel, n_in AS a, n_out AS b, seg AS c, failed AS d "
    "FROM dash_days WHERE " DAYS " UNION ALL "
    "SELECT dash_day(created_at), channel, (direction = 'in')::integer, "
    "(direction = 'out')::integer, " SEGS ", (delivery = 'failed')::integer "
    "FROM live) x GROUP BY day, channel ORDER BY day, channel COLLATE \"C\"";

static const char SQL_RU_INTENTS[] = LIVE
    "SELECT key, sum(n) FROM (SELECT key, n FROM dash_counts WHERE "
    "kind = 'intent' AND " DAYS " UNION ALL SELECT coalesce(intent, ''), 1 "
    "FROM live WHERE direction = 'in') x GROUP BY key "
    "ORDER BY 2 DESC, key COLLATE \"C\"";

static const char SQL_RU_LANGS[] = LIVE
    "SELECT key, sum(n) FROM (SELECT key, n FROM dash_counts WHERE "
    "kind = 'lang' AND " DAYS " UNION ALL SELECT coalesce(lang, ''), 1 "
    "FROM live WHERE direction = 'in') x GROUP BY key "
    "ORDER BY 2 DESC, key COLLATE \"C\"";

static const char SQL_RU_REVIEW[] = LIVE
    "SELECT coalesce(sum(n), 0) FROM (SELECT n FROM dash_counts WHERE "
    "kind = 'review' AND " DAYS " UNION ALL SELECT 1 FROM live m WHERE "
    "m.direction = 'in' AND m.review = 1 AND NOT EXISTS (SELECT 1 "
    "FROM message_labels l WHERE l.message_id = m.id)) x";

/*
 * Sessions first seen in the range, those seen again in it after a day
 * before it, and those of the live messages the roll-up has not seen in
 * the range.
 */
static const char SQL_RU_USSD[] = LIVE
    "SELECT (SELECT coalesce(sum(n), 0) FROM dash_counts WHERE "
    "kind = 'ussd' AND " DAYS ") + (SELECT count(*) FROM dash_ussd WHERE "
    DAYS " AND prev IS NOT NULL AND prev < dash_day($1)) "
    "+ (SELECT count(DISTINCT s) FROM (SELECT " SESSION " AS s FROM live "
    "WHERE channel = 'ussd' AND direction = 'in' AND channel_msg_id IS NOT "
    "NULL) x WHERE NOT EXISTS (SELECT 1 FROM dash_ussd u WHERE "
    "u.session = x.s AND u.day >= dash_day($1) AND u.day < dash_day($2)))";

static const char SQL_RU_REPLY_BOT[] = LIVE
    "SELECT secs, sum(n) FROM (SELECT secs, n FROM dash_reply WHERE "
    "who = 'bot' AND " DAYS " UNION ALL SELECT o.created_at - "
    "i.created_at, 1 FROM live o JOIN messages i ON i.id = o.reply_to "
    "WHERE o.direction = 'out') x GROUP BY 1 ORDER BY 1";

static const char SQL_RU_REPLY_AGENT[] = LIVE
    "SELECT secs, sum(n) FROM (SELECT secs, n FROM dash_reply WHERE "
    "who = 'agent' AND " DAYS " UNION ALL SELECT s, 1 FROM (SELECT "
    "o.created_at - (SELECT max(i.created_at) FROM messages i WHERE "
    "i.contact_id = o.contact_id AND i.direction = 'in' AND i.id < o.id) "
    "AS s FROM live o WHERE o.direction = 'out' AND "
    "o.intent = 'manual') a WHERE s IS NOT NULL) x GROUP BY 1 ORDER BY 1";

/* A cell of row i of r. */
struct cell {
	const PGresult	*r;
	int		 i;
};

static const char *
cell_str(void *p, int col)
{
	const struct cell	*c = p;

	return pg_str(c->r, c->i, col);
}

static int64_t
cell_num(void *p, int col)
{
	const struct cell	*c = p;

	return pg_int(c->r, c->i, col);
}

static double
cell_dbl(void *p, int col)
{
	const struct cell	*c = p;

	return pg_dbl(c->r, c->i, col);
}

/* One statement's rows to fn, under the reader's lock. */
static enum mj_err
stats_run(struct store *st, enum hd_stat_kind kind, const char *sql,
    const char *tag, int64_t from, int64_t to,
    int (*fn)(void *, const struct hd_stat *), void *arg)
{
	struct pgq	 p;
	PGresult	*r;
	enum mj_err	 rc = MJ_OK;

	pgq_init(&p);
	pgq_int(&p, from);
	pgq_int(&p, to);
	pg_lock(st);
	if ((r = pg_exec(st, "stats", sql, &p)) == NULL)
		rc = MJ_EDB;
	for (int i = 0; r != NULL && i < PQntuples(r); i++) {
		struct cell		c = { r, i };
		struct dash_cells	cells = { &c, PQnfields(r), cell_str,
					    cell_num, cell_dbl };
		struct hd_stat		s;

		dash_row(&cells, kind, tag, &s);
		if (fn(arg, &s) != 0)
			break;
	}
	PQclear(r);
	pg_unlock(st);
	return rc;
}

enum mj_err
pg_hd_stats(struct store *st, enum hd_stat_kind kind, int64_t from,
    int64_t to, int (*fn)(void *, const struct hd_stat *), void *arg)
{
	DASH_SQL_SETS(raw, rolled);
	const char	*sql[2], *tag[2];
	enum mj_err	 rc = MJ_OK;
	int		 n;

	if ((n = dash_plan(&raw, &rolled, kind, from, to, sql, tag)) == 0)
		return MJ_EINPUT;
	st = store_reader(st);
	for (int i = 0; i < n && rc == MJ_OK; i++)
		rc = stats_run(st, kind, sql[i], tag[i], from, to, fn, arg);
	return rc;
}
