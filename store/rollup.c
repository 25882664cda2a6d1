/*
 * rollup.c - the dashboard's daily roll-up (migration 0017), brought up to
 * date with the messages after its cursor 'dash' by the indexer: inside
 * each group commit's transaction (store_index_here) and in the
 * background (store_index_pending).
 *
 * A chunk of new messages is counted in memory first, per (day, channel),
 * (kind, day, key) and (who, day, seconds), and each of those is written
 * once per chunk: a batch of a hundred messages on one day costs a dozen
 * upserts, not a few hundred.  The definitions are the dashboard's own
 * (store/dash.c), message by message; what changes after the roll-up
 * (delivery, labels) is followed by the triggers of 0017.  PostgreSQL has
 * no cursor: its indexer rolls up each message it takes from index_queue
 * (pg_rollup.c), and store_rollup_pending() there has nothing to do.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

enum acc_kind {
	ACC_DAY = 1,	/* key channel; v0 in, v1 out, v2 segments, v3 failed */
	ACC_INTENT,	/* key intent; v0 inbound */
	ACC_LANG,	/* key language; v0 inbound */
	ACC_REVIEW,	/* v0 up for review, unlabelled */
	ACC_USSD,	/* v0 sessions first seen */
	ACC_BOT,	/* secs; v0 replies */
	ACC_AGENT	/* secs; v0 replies */
};

static const char *const kind_name[] = {
	[ACC_INTENT] = "intent", [ACC_LANG] = "lang", [ACC_REVIEW] = "review",
	[ACC_USSD] = "ussd", [ACC_BOT] = "bot", [ACC_AGENT] = "agent"
};

struct acc {
	unsigned char	kind;		/* 0: free slot */
	char		day[16];	/* YYYY-MM-DD */
	char		key[36];
	int64_t		secs;
	int64_t		v[4];
};

#define ROLLUP_CHUNK	500		/* messages counted at a time */
#define ACC_SLOTS	4096		/* past half full, entries go at once */

/* Kept by the store between calls; only the slots used are cleared. */
struct rollup_table {
	struct acc	slot[ACC_SLOTS];
	short		used[ACC_SLOTS];
	int		nused;
};

void
store_rollup_free(struct store *st)
{
	free(st->rollup);
	st->rollup = NULL;
}

static size_t
acc_hash(int kind, const char *day, const char *key, int64_t secs)
{
	uint64_t	h = 1469598103934665603ULL ^ (uint64_t)kind;

	for (const char *p = day; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (const char *p = key; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ (uint64_t)secs) * 1099511628211ULL;
	return (size_t)(h >> 20) & (ACC_SLOTS - 1);
}

/* One entry written: an upsert adding its counts. */
static enum mj_err
acc_write(struct store *st, int kind, const char *day, const char *key,
    int64_t secs, const int64_t v[4])
{
	static const char *const q_days = "INSERT INTO dash_days (day, "
	    "channel, n_in, n_out, seg, failed) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6) ON CONFLICT (day, channel) DO UPDATE SET n_in = n_in + ?3, "
	    "n_out = n_out + ?4, seg = seg + ?5, failed = failed + ?6";
	static const char *const q_counts = "INSERT INTO dash_counts (kind, "
	    "day, key, n) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (kind, day, key) "
	    "DO UPDATE SET n = n + ?4";
	static const char *const q_reply = "INSERT INTO dash_reply (who, day, "
	    "secs, n) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (who, day, secs) "
	    "DO UPDATE SET n = n + ?4";
	sqlite3_stmt	*q;

	if (v[0] == 0 && v[1] == 0 && v[2] == 0 && v[3] == 0)
		return MJ_OK;
	if (kind == ACC_DAY) {
		PREP(q, q_days);
		bind_str(q, 1, day);
		bind_str(q, 2, key);
		for (int i = 0; i < 4; i++)
			sqlite3_bind_int64(q, 3 + i, v[i]);
	} else if (kind == ACC_BOT || kind == ACC_AGENT) {
		PREP(q, q_reply);
		bind_str(q, 1, kind_name[kind]);
		bind_str(q, 2, day);
		sqlite3_bind_int64(q, 3, secs);
		sqlite3_bind_int64(q, 4, v[0]);
	} else {
		PREP(q, q_counts);
		bind_str(q, 1, kind_name[kind]);
		bind_str(q, 2, day);
		bind_str(q, 3, key);
		sqlite3_bind_int64(q, 4, v[0]);
	}
	return step_done(st, q, "rollup_write");
}

/*
 * Add v to the entry (kind, day, key, secs).  A key or day too long for a
 * slot (no intent, language, channel or date is) is written at once.
 */
static enum mj_err
acc_add(struct store *st, struct rollup_table *t, int kind, const char *day,
    const char *key, int64_t secs, const int64_t v[4])
{
	struct acc	*a;
	size_t		 i;

	if (strlen(key) >= sizeof(a->key) || strlen(day) >= sizeof(a->day) ||
	    t->nused >= ACC_SLOTS / 2)
		return acc_write(st, kind, day, key, secs, v);
	i = acc_hash(kind, day, key, secs);
	while (t->slot[i].kind != 0 && (t->slot[i].kind != kind ||
	    t->slot[i].secs != secs || strcmp(t->slot[i].day, day) != 0 ||
	    strcmp(t->slot[i].key, key) != 0))
		i = (i + 1) & (ACC_SLOTS - 1);
	a = &t->slot[i];
	if (a->kind == 0) {
		a->kind = (unsigned char)kind;
		a->secs = secs;
		memcpy(a->day, day, strlen(day) + 1);
		memcpy(a->key, key, strlen(key) + 1);
		t->used[t->nused++] = (short)i;
	}
	for (int k = 0; k < 4; k++)
		a->v[k] += v[k];
	return MJ_OK;
}

/*
 * A USSD session's message on day: a new (session, day) is kept with the
 * day before it (prev); first seen (no day before) counts for the day.
 * A day stored earlier than one already there (messages out of time
 * order) becomes the prev of the next, which then is no longer first.
 */
static enum mj_err
ussd_seen(struct store *st, struct rollup_table *t, const char *session,
    const char *day)
{
	static const char *const q_add = "INSERT INTO dash_ussd (session, "
	    "day, prev) VALUES (?1, ?2, (SELECT max(day) FROM dash_ussd WHERE "
	    "session = ?1 AND day < ?2)) ON CONFLICT (session, day) DO "
	    "NOTHING RETURNING prev";
	static const char *const q_next = "UPDATE dash_ussd SET prev = ?2 "
	    "WHERE session = ?1 AND day = (SELECT min(day) FROM dash_ussd "
	    "WHERE session = ?1 AND day > ?2) RETURNING day";
	const int64_t	 one[4] = { 1, 0, 0, 0 }, less[4] = { -1, 0, 0, 0 };
	sqlite3_stmt	*q;
	enum mj_err	 rc;
	int		 s, first;
	char		 next[16];

	PREP(q, q_add);
	bind_str(q, 1, session);
	bind_str(q, 2, day);
	s = sqlite3_step(q);
	/* (RETURNING prev IS NULL gives 0 for NULL in SQLite 3.40) */
	first = s == SQLITE_ROW && sqlite3_column_type(q, 0) == SQLITE_NULL;
	done(q);
	if (s == SQLITE_DONE)
		return MJ_OK;		/* the session's day is known */
	if (s != SQLITE_ROW)
		return db_fail(st, "rollup_ussd");
	if (first && (rc = acc_add(st, t, ACC_USSD, day, "", 0, one)) != MJ_OK)
		return rc;
	PREP(q, q_next);
	bind_str(q, 1, session);
	bind_str(q, 2, day);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW)
		col_copy(q, 0, next, sizeof(next));
	done(q);
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		return db_fail(st, "rollup_ussd");
	if (s == SQLITE_ROW && first)
		return acc_add(st, t, ACC_USSD, next, "", 0, less);
	return MJ_OK;
}

/*
 * Columns: 0 id, 1 day, 2 inbound, 3 channel, 4 intent, 5 lang, 6 SMS
 * segments sent, 7 failed, 8 up for review and unlabelled, 9 the bot's
 * reply seconds, 10 an agent's reply seconds, 11 the USSD session (each
 * NULL where it does not apply): the definitions of store/dash.c.
 */
static const char SQL_NEW[] = "SELECT m.id, "
    "date(m.created_at + 18000, 'unixepoch'), m.direction = 'in', "
    "m.channel, coalesce(m.intent, ''), coalesce(m.lang, ''), "
    "CASE WHEN m.direction = 'out' AND m.delivery IN ('sent', 'delivered', "
    "'sync') THEN coalesce(m.segments, 0) ELSE 0 END, "
    "m.delivery = 'failed', "
    "m.direction = 'in' AND m.review = 1 AND NOT EXISTS (SELECT 1 "
    "FROM message_labels l WHERE l.message_id = m.id), "
    "CASE WHEN m.direction = 'out' THEN m.created_at - (SELECT "
    "i.created_at FROM messages i WHERE i.id = m.reply_to) END, "
    "CASE WHEN m.direction = 'out' AND m.intent = 'manual' THEN "
    "m.created_at - (SELECT max(i.created_at) FROM messages i WHERE "
    "i.contact_id = m.contact_id AND i.direction = 'in' AND i.id < m.id) "
    "END, "
    "CASE WHEN m.channel = 'ussd' AND m.direction = 'in' AND "
    "m.channel_msg_id IS NOT NULL THEN substr(m.channel_msg_id, 1, "
    "length(m.channel_msg_id) - 17) END "
    "FROM messages m WHERE m.id > coalesce(?1, (SELECT last_id FROM "
    "index_state WHERE name = 'dash')) ORDER BY m.id LIMIT ?2";

/* One message into the table. */
static enum mj_err
rollup_row(struct store *st, struct rollup_table *t, sqlite3_stmt *q)
{
	const int64_t	 one[4] = { 1, 0, 0, 0 };
	const char	*day = col_text(q, 1);
	int		 in = sqlite3_column_int(q, 2);
	int64_t		 v[4];
	enum mj_err	 rc;

	v[0] = in;
	v[1] = !in;
	v[2] = sqlite3_column_int64(q, 6);
	v[3] = sqlite3_column_int(q, 7);
	if ((rc = acc_add(st, t, ACC_DAY, day, col_text(q, 3), 0, v)) != MJ_OK)
		return rc;
	if (in) {
		if ((rc = acc_add(st, t, ACC_INTENT, day, col_text(q, 4), 0,
		    one)) != MJ_OK ||
		    (rc = acc_add(st, t, ACC_LANG, day, col_text(q, 5), 0,
		    one)) != MJ_OK)
			return rc;
		if (sqlite3_column_int(q, 8) &&
		    (rc = acc_add(st, t, ACC_REVIEW, day, "", 0, one)) != MJ_OK)
			return rc;
		if (sqlite3_column_type(q, 11) != SQLITE_NULL)
			return ussd_seen(st, t, col_text(q, 11), day);
		return MJ_OK;
	}
	if (sqlite3_column_type(q, 9) != SQLITE_NULL &&
	    (rc = acc_add(st, t, ACC_BOT, day, "", sqlite3_column_int64(q, 9),
	    one)) != MJ_OK)
		return rc;
	if (sqlite3_column_type(q, 10) != SQLITE_NULL)
		return acc_add(st, t, ACC_AGENT, day, "",
		    sqlite3_column_int64(q, 10), one);
	return MJ_OK;
}

/*
 * Up to max messages after *last (-1: after the cursor) counted and
 * written; *got how many, *last the latest.
 */
static enum mj_err
rollup_chunk(struct store *st, struct rollup_table *t, int64_t *last,
    int max, int *got)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_OK;
	int		 step;

	PREP(q, SQL_NEW);
	if (*last >= 0)
		sqlite3_bind_int64(q, 1, *last);
	sqlite3_bind_int(q, 2, max);
	while (rc == MJ_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
		rc = rollup_row(st, t, q);
		*last = sqlite3_column_int64(q, 0);
		(*got)++;
	}
	if (rc == MJ_OK && step != SQLITE_DONE)
		rc = db_fail(st, "rollup_read");
	done(q);
	for (int k = 0; k < t->nused; k++) {
		struct acc	*a = &t->slot[t->used[k]];

		if (rc == MJ_OK)
			rc = acc_write(st, a->kind, a->day, a->key, a->secs,
			    a->v);
		memset(a, 0, sizeof(*a));
	}
	t->nused = 0;
	return rc;
}

enum mj_err
store_rollup_pending(struct store *st, int max, int *n)
{
	static const char *const q_mark = "UPDATE index_state SET last_id = ?1 "
	    "WHERE name = 'dash'";
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_OK;
	int64_t		 last = -1;

	*n = 0;
	/* PostgreSQL: the indexer rolls up what it takes (pg_rollup.c). */
	if (st->pg != NULL)
		return MJ_OK;
	if (st->rollup == NULL &&
	    (st->rollup = calloc(1, sizeof(*st->rollup))) == NULL)
		return MJ_ENOMEM;
	/* The cursor is read by the first chunk's statement itself. */
	while (rc == MJ_OK && *n < max) {
		int	chunk = max - *n < ROLLUP_CHUNK ? max - *n : ROLLUP_CHUNK;
		int	got = 0;

		rc = rollup_chunk(st, st->rollup, &last, chunk, &got);
		*n += got;
		if (got < chunk)
			break;
	}
	if (rc != MJ_OK || *n == 0)
		return rc;
	PREP(q, q_mark);
	sqlite3_bind_int64(q, 1, last);
	return step_done(st, q, "rollup_mark");
}
