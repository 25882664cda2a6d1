/*
 * dash.c - the help desk's dashboard: messages per day and channel, intents
 * and languages, the texts left to label, reply times and the review count,
 * each over [from, to).  Statements come from the store's cache; every
 * value is a bound parameter.
 *
 * A range of whole Tashkent days (the dashboard's) is read from the daily
 * roll-up (migration 0017, store/rollup.c) plus the messages after its
 * cursor, read from messages themselves in the same statement, so the
 * answer is the one the definitions below give over the raw messages.
 * Any other range, and the list of texts not understood, which no count
 * can hold, read the messages (the list: the latest of the range, below).
 * A store on PostgreSQL is served by pg_dash.c.
 */
#include <string.h>

#include "store/dash_int.h"
#include "store/helpdesk.h"
#include "store/pg_dash.h"
#include "store/store_int.h"

/* Days are Tashkent's (UTC+5 all year). */
static const char SQL_ST_DAYS[] =
    "SELECT date(created_at + 18000, 'unixepoch') AS d, "
    "channel, "
    "sum(direction = 'in'), sum(direction = 'out'), "
    "sum(CASE WHEN direction = 'out' AND delivery IN ('sent', "
    "'delivered', 'sync') THEN coalesce(segments, 0) ELSE 0 END), "
    "sum(delivery = 'failed') FROM messages "
    "WHERE created_at >= ?1 AND created_at < ?2 "
    "GROUP BY d, channel ORDER BY d, channel";

static const char SQL_ST_INTENTS[] =
    "SELECT coalesce(intent, ''), count(*) FROM messages "
    "WHERE created_at >= ?1 AND created_at < ?2 AND direction = 'in' "
    "GROUP BY 1 ORDER BY 2 DESC, 1";

static const char SQL_ST_LANGS[] =
    "SELECT coalesce(lang, ''), count(*) FROM messages "
    "WHERE created_at >= ?1 AND created_at < ?2 AND direction = 'in' "
    "GROUP BY 1 ORDER BY 2 DESC, 1";

/*
 * Messages to label, the same text together, among the latest
 * HD_UNKNOWN_SCAN of the range up for review (newest first through the
 * partial index messages_review, so a year costs what a day does); a text
 * labelled once is left out (the labels are few: agents make them one by
 * one).
 */
#define STR_(x)	#x
#define STR(x)	STR_(x)
static const char SQL_ST_UNKNOWN[] =
    "SELECT b, n, last, (SELECT coalesce(intent, '') "
    "FROM messages WHERE id = last), (SELECT coalesce(nlu_prob, 0) "
    "FROM messages WHERE id = last) FROM (SELECT lower(trim(body)) "
    "AS b, count(*) AS n, max(id) AS last FROM (SELECT m.id, m.body "
    "FROM messages m INDEXED BY messages_review "
    "WHERE m.created_at >= ?1 AND m.created_at < ?2 AND "
    "m.direction = 'in' AND m.review = 1 ORDER BY m.created_at DESC "
    "LIMIT " STR(HD_UNKNOWN_SCAN) ") GROUP BY b HAVING b NOT IN "
    "(SELECT lower(trim(x.body)) FROM message_labels l JOIN messages x "
    "ON x.id = l.message_id) ORDER BY n DESC, b LIMIT 20)";

static const char SQL_ST_REVIEW[] =
    "SELECT count(*) FROM messages m WHERE "
    "m.created_at >= ?1 AND m.created_at < ?2 AND m.direction = 'in' "
    "AND m.review = 1 AND NOT EXISTS (SELECT 1 FROM message_labels l "
    "WHERE l.message_id = m.id)";

/*
 * USSD sessions: a request's id is "PROVIDER/SESSION/HASH" with a hash of
 * 16 hex digits (bot/ussd.h), so the session is all but its last 17 bytes.
 */
static const char SQL_ST_USSD[] =
    "SELECT count(DISTINCT substr(channel_msg_id, 1, "
    "length(channel_msg_id) - 17)) FROM messages "
    "WHERE channel = 'ussd' AND direction = 'in' AND "
    "channel_msg_id IS NOT NULL AND created_at >= ?1 AND created_at < ?2";

/* The bot answers in the same transaction: reply_to gives the pair. */
static const char SQL_ST_REPLY_BOT[] =
    "SELECT o.created_at - i.created_at AS s, count(*) "
    "FROM messages o JOIN messages i ON i.id = o.reply_to "
    "WHERE o.created_at >= ?1 AND o.created_at < ?2 AND "
    "o.direction = 'out' GROUP BY s ORDER BY s";

/* An agent's reply: time since the citizen's latest message before. */
static const char SQL_ST_REPLY_AGENT[] =
    "SELECT s, count(*) FROM (SELECT o.created_at - (SELECT "
    "max(i.created_at) FROM messages i WHERE i.contact_id = "
    "o.contact_id AND i.direction = 'in' AND i.id < o.id) AS s "
    "FROM messages o WHERE o.created_at >= ?1 AND o.created_at < ?2 "
    "AND o.direction = 'out' AND o.intent = 'manual') "
    "WHERE s IS NOT NULL GROUP BY s ORDER BY s";

/*
 * The same from the roll-up, for whole days: ?1 and ?2 at Tashkent
 * midnights.  live: the messages of [?1, ?2) after the roll-up's cursor,
 * found by id (+created_at keeps SQLite off the date index) and read
 * once, before the queries that use them pick an index of their own.
 */
#define LIVE	"WITH live AS MATERIALIZED (SELECT * FROM messages WHERE id > " \
		"(SELECT last_id FROM index_state WHERE name = 'dash') AND " \
		"+created_at >= ?1 AND +created_at < ?2) "
#define DAYS	"day >= date(?1 + 18000, 'unixepoch') AND " \
		"day < date(?2 + 18000, 'unixepoch')"

static const char SQL_RU_DAYS[] = LIVE
    "SELECT day, channel, sum(a), sum(b), sum(c), sum(d) FROM ("
    "SELECT day, channel, n_in AS a, n_out AS b, seg AS c, failed AS d "
    "FROM dash_days WHERE " DAYS " UNION ALL "
    "SELECT date(created_at + 18000, 'unixepoch'), channel, "
    "direction = 'in', direction = 'out', "
    "CASE WHEN direction = 'out' AND delivery IN ('sent', "
    "'delivered', 'sync') THEN coalesce(segments, 0) ELSE 0 END, "
    "delivery = 'failed' FROM live) "
    "GROUP BY day, channel ORDER BY day, channel";

static const char SQL_RU_INTENTS[] = LIVE
    "SELECT key, sum(n) FROM (SELECT key, n FROM dash_counts WHERE "
    "kind = 'intent' AND " DAYS " UNION ALL SELECT coalesce(intent, ''), 1 "
    "FROM live WHERE direction = 'in') GROUP BY 1 ORDER BY 2 DESC, 1";

static const char SQL_RU_LANGS[] = LIVE
    "SELECT key, sum(n) FROM (SELECT key, n FROM dash_counts WHERE "
    "kind = 'lang' AND " DAYS " UNION ALL SELECT coalesce(lang, ''), 1 "
    "FROM live WHERE direction = 'in') GROUP BY 1 ORDER BY 2 DESC, 1";

static const char SQL_RU_REVIEW[] = LIVE
    "SELECT coalesce(sum(n), 0) FROM (SELECT n FROM dash_counts WHERE "
    "kind = 'review' AND " DAYS " UNION ALL SELECT 1 FROM live m WHERE "
    "m.direction = 'in' AND m.review = 1 AND NOT EXISTS (SELECT 1 "
    "FROM message_labels l WHERE l.message_id = m.id))";

/*
 * Sessions first seen in the range, those seen again in it after a day
 * before it, and those of the live messages the roll-up has not seen in
 * the range.
 */
static const char SQL_RU_USSD[] = LIVE
    "SELECT (SELECT coalesce(sum(n), 0) FROM dash_counts WHERE "
    "kind = 'ussd' AND " DAYS ") + (SELECT count(*) FROM dash_ussd WHERE "
    DAYS " AND prev IS NOT NULL AND prev < date(?1 + 18000, 'unixepoch')) "
    "+ (SELECT count(DISTINCT s) FROM (SELECT substr(channel_msg_id, 1, "
    "length(channel_msg_id) - 17) AS s FROM live WHERE channel = 'ussd' "
    "AND direction = 'in' AND channel_msg_id IS NOT NULL) WHERE NOT EXISTS "
    "(SELECT 1 FROM dash_ussd u WHERE u.session = s AND u.day >= "
    "date(?1 + 18000, 'unixepoch') AND u.day < date(?2 + 18000, "
    "'unixepoch')))";

static const char SQL_RU_REPLY_BOT[] = LIVE
    "SELECT secs, sum(n) FROM (SELECT secs, n FROM dash_reply WHERE "
    "who = 'bot' AND " DAYS " UNION ALL SELECT o.created_at - "
    "i.created_at, 1 FROM live o JOIN messages i ON i.id = o.reply_to "
    "WHERE o.direction = 'out') GROUP BY 1 ORDER BY 1";

static const char SQL_RU_REPLY_AGENT[] = LIVE
    "SELECT secs, sum(n) FROM (SELECT secs, n FROM dash_reply WHERE "
    "who = 'agent' AND " DAYS " UNION ALL SELECT s, 1 FROM (SELECT "
    "o.created_at - (SELECT max(i.created_at) FROM messages i WHERE "
    "i.contact_id = o.contact_id AND i.direction = 'in' AND i.id < o.id) "
    "AS s FROM live o WHERE o.direction = 'out' AND "
    "o.intent = 'manual') WHERE s IS NOT NULL) GROUP BY 1 ORDER BY 1";

/* A figure's rows to fn: the row's shape is the figure's. */
struct stat_cb {
	int		(*fn)(void *, const struct hd_stat *);
	void		*arg;
	enum hd_stat_kind kind;
	const char	*tag;		/* dash_plan()'s k1, or NULL */
};

static const char *
cell_str(void *q, int i)
{
	return col_text(q, i);
}

static int64_t
cell_num(void *q, int i)
{
	return sqlite3_column_int64(q, i);
}

static double
cell_dbl(void *q, int i)
{
	return sqlite3_column_double(q, i);
}

static int
stat_row(sqlite3_stmt *q, void *p)
{
	struct stat_cb		*c = p;
	struct dash_cells	 cells = { q, sqlite3_column_count(q),
				    cell_str, cell_num, cell_dbl };
	struct hd_stat		 s;

	dash_row(&cells, c->kind, c->tag, &s);
	return c->fn(c->arg, &s);
}

enum mj_err
store_hd_stats(struct store *st, enum hd_stat_kind kind, int64_t from,
    int64_t to, int (*fn)(void *, const struct hd_stat *), void *arg)
{
	DASH_SQL_SETS(raw, rolled);
	const char	*sql[2], *tag[2];
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_OK;
	int		 n;

	if (st->pg != NULL)
		return pg_hd_stats(st, kind, from, to, fn, arg);
	if ((n = dash_plan(&raw, &rolled, kind, from, to, sql, tag)) == 0)
		return MJ_EINPUT;
	st = store_reader(st);
	for (int i = 0; i < n && rc == MJ_OK; i++) {
		struct stat_cb	c = { fn, arg, kind, tag[i] };

		if ((q = lock_stmt(st, sql[i])) == NULL)
			return MJ_EDB;
		sqlite3_bind_int64(q, 1, from);
		sqlite3_bind_int64(q, 2, to);
		rc = step_each(st, q, tag[i] != NULL ? "stats_reply" : "stats",
		    stat_row, &c);
		pthread_mutex_unlock(&st->lock);
	}
	return rc;
}
