/*
 * helpdesk_int.h - what the two sides of helpdesk.h share: helpdesk.c
 * (SQLite) and pg_helpdesk.c (PostgreSQL) keep one conversation per
 * contact in search results and decide a take or release of a held
 * conversation by the same rule, each reading and writing the hold its
 * own way.  Nothing outside store/ includes it.
 */
#ifndef STORE_HELPDESK_INT_H
#define STORE_HELPDESK_INT_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct store;

/* Search results repeat a conversation per matching message: keep one. */
struct seen {
	int64_t	ids[256];
	size_t	n;
};

/* 1 when id is new to s (then remembered while there is room), else 0. */
static inline int
seen_add(struct seen *s, int64_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return 0;
	if (s->n < sizeof(s->ids) / sizeof(s->ids[0]))
		s->ids[s->n++] = id;
	return 1;
}

/* A backend's reading and writing of a contact's hold. */
struct hd_hold_ops {
	/* The holder ("" when free or expired at now); MJ_ENOTFOUND. */
	enum mj_err	(*holder)(struct store *, int64_t contact_id,
			    int64_t now, char *buf, size_t len);
	/* Held by username until until ("", 0: released). */
	enum mj_err	(*hold)(struct store *, int64_t contact_id,
			    const char *username, int64_t until, int64_t now);
};

/*
 * store_hd_take() and store_hd_release() (helpdesk.h) through ops: a
 * conversation held by someone else is taken or released only with force,
 * else *conflict is set and nothing changes.  helpdesk.c.
 */
enum mj_err	hd_take(const struct hd_hold_ops *, struct store *,
		    int64_t contact_id, const char *username, int64_t until,
		    int force, int64_t now, int *conflict, char *holder_out,
		    size_t holderlen);
enum mj_err	hd_release(const struct hd_hold_ops *, struct store *,
		    int64_t contact_id, const char *username, int force,
		    int64_t now, int *conflict);
#endif
