/*
 * dash_int.h - what the two sides of the dashboard share: dash.c (SQLite)
 * and pg_dash.c (PostgreSQL) each write the statements of every figure in
 * their own SQL, twice (over the messages, and over the daily roll-up for
 * whole days); which statements a figure runs, and which set answers a
 * range, is decided here once.  Nothing outside store/ includes it.
 */
#ifndef STORE_DASH_INT_H
#define STORE_DASH_INT_H
#include <stdint.h>
#include <string.h>

#include "store/helpdesk.h"

/* One backend's statements for one way of reading a range. */
struct dash_sql {
	const char	*days, *intents, *langs, *unknown, *review, *ussd;
	const char	*reply_bot, *reply_agent;
};

/*
 * Each backend names its statements alike, SQL_ST_* over the messages and
 * SQL_RU_* over the roll-up (the list of texts to label has only the
 * first): this declares its two sets, raw and rolled.
 */
#define DASH_SQL_SETS(raw, rolled)					\
	static const struct dash_sql raw = {				\
		.days = SQL_ST_DAYS, .intents = SQL_ST_INTENTS,		\
		.langs = SQL_ST_LANGS, .unknown = SQL_ST_UNKNOWN,	\
		.review = SQL_ST_REVIEW, .ussd = SQL_ST_USSD,		\
		.reply_bot = SQL_ST_REPLY_BOT,				\
		.reply_agent = SQL_ST_REPLY_AGENT			\
	}, rolled = {							\
		.days = SQL_RU_DAYS, .intents = SQL_RU_INTENTS,		\
		.langs = SQL_RU_LANGS, .unknown = SQL_ST_UNKNOWN,	\
		.review = SQL_RU_REVIEW, .ussd = SQL_RU_USSD,		\
		.reply_bot = SQL_RU_REPLY_BOT,				\
		.reply_agent = SQL_RU_REPLY_AGENT			\
	}

/* Whole Tashkent days (UTC+5, no summer time): the roll-up answers. */
static inline int
dash_whole_days(int64_t from, int64_t to)
{
	return from >= 0 && from < to && (from + 18000) % 86400 == 0 &&
	    (to + 18000) % 86400 == 0;
}

/* A backend's reading of the cells of one row (src). */
struct dash_cells {
	void		*src;
	int		 n;		/* columns */
	const char	*(*str)(void *src, int col);	/* "" for NULL */
	int64_t		 (*num)(void *src, int col);
	double		 (*dbl)(void *src, int col);
};

/*
 * The row of the figure kind as fn gets it (helpdesk.h): k1 body, v0
 * times, v1 the latest id, k2 its intent and d its probability for the
 * texts to label; k1 tag, v0 seconds, v1 replies for a tagged statement;
 * else by the number of columns: v0; k1, v0; or k1, k2, v0...
 */
static inline void
dash_row(const struct dash_cells *c, enum hd_stat_kind kind,
    const char *tag, struct hd_stat *s)
{
	memset(s, 0, sizeof(*s));
	if (kind == HD_STAT_UNKNOWN_TOP) {
		s->k1 = c->str(c->src, 0);
		s->v[0] = c->num(c->src, 1);
		s->v[1] = c->num(c->src, 2);
		s->k2 = c->str(c->src, 3);
		s->d = c->dbl(c->src, 4);
	} else if (tag != NULL) {
		s->k1 = tag;
		s->v[0] = c->num(c->src, 0);
		s->v[1] = c->num(c->src, 1);
	} else if (c->n == 1) {
		s->v[0] = c->num(c->src, 0);
	} else if (c->n == 2) {
		s->k1 = c->str(c->src, 0);
		s->v[0] = c->num(c->src, 1);
	} else {
		s->k1 = c->str(c->src, 0);
		s->k2 = c->str(c->src, 1);
		for (int i = 0; i < 4 && i + 2 < c->n; i++)
			s->v[i] = c->num(c->src, i + 2);
	}
}

/*
 * The statements the figure kind runs over [from, to), in order, into
 * sql[], from rolled for whole days, else from raw; tag[i] is the k1 of
 * the rows of sql[i] (NULL: the rows give it).  HD_STAT_REPLY_SECS runs
 * two, "bot" then "agent", each sorted.  Returns how many: 0 for a kind
 * that is none of enum hd_stat_kind.
 */
static inline int
dash_plan(const struct dash_sql *raw, const struct dash_sql *rolled,
    enum hd_stat_kind kind, int64_t from, int64_t to, const char *sql[2],
    const char *tag[2])
{
	const struct dash_sql *w = dash_whole_days(from, to) ? rolled : raw;

	tag[0] = tag[1] = NULL;
	switch (kind) {
	case HD_STAT_DAYS:
		sql[0] = w->days;
		return 1;
	case HD_STAT_INTENTS:
		sql[0] = w->intents;
		return 1;
	case HD_STAT_LANGS:
		sql[0] = w->langs;
		return 1;
	case HD_STAT_UNKNOWN_TOP:
		sql[0] = w->unknown;
		return 1;
	case HD_STAT_REPLY_SECS:
		sql[0] = w->reply_bot;
		tag[0] = "bot";
		sql[1] = w->reply_agent;
		tag[1] = "agent";
		return 2;
	case HD_STAT_REVIEW:
		sql[0] = w->review;
		return 1;
	case HD_STAT_USSD:
		sql[0] = w->ussd;
		return 1;
	}
	return 0;
}
#endif
