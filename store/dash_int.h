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

#include "store/helpdesk.h"

/* One backend's statements for one way of reading a range. */
struct dash_sql {
	const char	*days, *intents, *langs, *unknown, *review, *ussd;
	const char	*reply_bot, *reply_agent;
};

/* Whole Tashkent days (UTC+5, no summer time): the roll-up answers. */
static inline int
dash_whole_days(int64_t from, int64_t to)
{
	return from >= 0 && from < to && (from + 18000) % 86400 == 0 &&
	    (to + 18000) % 86400 == 0;
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
