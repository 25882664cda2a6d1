/*
 * store_int.h - what the SQLite files of the store share (store.c and
 * store_helpdesk.c): the connection, its statements and small helpers.
 * Nothing outside store/ includes it.
 */
#ifndef STORE_STORE_INT_H
#define STORE_STORE_INT_H
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "base/err.h"
#include "base/log.h"

enum stmt {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK,
	Q_CONTACT_GET, Q_CONTACT_NEW, Q_CONTACT_SAVE, Q_CONTACT_SAVE_SAME,
	Q_CONTACT_BY_ID,
	Q_APP_GET, Q_APP_STATUS_OF, Q_APP_INSERT, Q_APP_UPDATE, Q_HISTORY_ADD,
	Q_APP_COUNT,
	Q_MSG_ADD, Q_INBOUND_SEEN, Q_REPLY_OF,
	Q_OUTBOX_ADD, Q_OUTBOX_DUE, Q_OUTBOX_SET, Q_MSG_DELIVERY,
	Q_PROGRAMME_PUT,
	Q__COUNT
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*q[Q__COUNT];
	pthread_mutex_t	 lock;
	int		 in_tx;
	int		 derived;	/* synchronous=NORMAL until store_end */
	char		*wal_path;	/* store_sync() */
	int		 wal_fd;	/* -1 until the first store_sync() */
	pthread_mutex_t	 wal_lock;	/* wal_fd, and one fdatasync at a time */
	struct store_hd	*hd;		/* store_helpdesk.c's statements */
	struct {
		const char	*sql;	/* a static string: compared by address */
		sqlite3_stmt	*q;
	}		 cache[64];	/* store_cached() */
	int		 ncache;
	char		*aliases;	/* store_rules_aliases(), while */
	int64_t		 aliases_dv;	/* PRAGMA data_version is this */
};

/*
 * The statement for sql (a string literal), prepared on first use and kept
 * until store_close(): for the store files that are not store.c.  NULL
 * (and logged) when it cannot be prepared.  Call under the store's lock.
 */
sqlite3_stmt	*store_cached(struct store *, const char *sql);

/* Finalize store_helpdesk.c's statements (before the connection closes). */
void	store_hd_close(struct store *);

static inline enum mj_err
db_fail(struct store *st, const char *op)
{
	log_err("store.fail", "op=%s err=\"%s\"", op, sqlite3_errmsg(st->db));
	return MJ_EDB;
}

static inline void
done(sqlite3_stmt *q)
{
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
}

/* Step q for one integer: MJ_OK with *v, MJ_ENOTFOUND, or MJ_EDB. */
static inline enum mj_err
step_int64(struct store *st, sqlite3_stmt *q, int64_t *v, const char *op)
{
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		*v = sqlite3_column_int64(q, 0);
		return MJ_OK;
	case SQLITE_DONE:
		return MJ_ENOTFOUND;
	default:
		return db_fail(st, op);
	}
}

static inline void
bind_str(sqlite3_stmt *q, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(q, i);
	else
		sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
}

static inline void
col_copy(sqlite3_stmt *q, int i, char *dst, size_t size)
{
	const unsigned char	*s = sqlite3_column_text(q, i);

	snprintf(dst, size, "%s", s != NULL ? (const char *)s : "");
}
#endif
