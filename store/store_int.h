/*
 * store_int.h - what the SQLite files of store/ share: the connection, its
 * one statement cache, and the helpers every file binds, steps and reads
 * columns with.  Nothing outside store/ includes it (the unit tests may).
 */
#ifndef STORE_STORE_INT_H
#define STORE_STORE_INT_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <sqlite3.h>

#include "base/err.h"
#include "base/log.h"
#include "store/sqltab_int.h"

#define STORE_PROGS	16	/* programmes kept in memory (programmes.c) */

struct fold_table;
struct rollup_table;

/* Free the indexer's fold table (index.c). */
void		store_folds_free(struct store *);

/*
 * The dashboard's daily roll-up (rollup.c, migration 0017): up to max
 * messages after its cursor counted and written, in the caller's
 * transaction; *n says how many.
 */
enum mj_err	store_rollup_pending(struct store *, int max, int *n);
/* Free its table of counts. */
void		store_rollup_free(struct store *);

/* Drop the programmes kept in memory (programmes.c). */
void		store_progs_drop(struct store *);

/* One statement of the cache, keyed by its SQL text (sqltab_int.h). */
struct stmt_slot {
	struct sql_key	 k;
	sqlite3_stmt	*q;
};

struct pg;		/* pg.c: a PostgreSQL connection and its state */

struct store {
	struct pg	*pg;		/* NULL: SQLite (everything below) */
	sqlite3		*db;
	pthread_mutex_t	 lock;
	int		 in_tx;
	int		 derived;	/* no wait for the disk until store_end */
	int		 walvfs;	/* opened on walvfs.c's VFS */
	char		*wal_path;	/* store_sync() */
	int		 wal_fd;	/* -1 until the first store_sync() */
	pthread_mutex_t	 wal_lock;	/* wal_fd, and one fdatasync at a time */
	struct stmt_slot *stmts;	/* store_stmt(): open addressing */
	size_t		 nstmts;	/* slots in use */
	size_t		 capstmts;	/* a power of two; 0 before the first */
	char		*aliases;	/* store_rules_aliases(), while */
	int64_t		 aliases_dv;	/* PRAGMA data_version is this */
	struct fold_table *folds;	/* index.c: kept between calls */
	struct rollup_table *rollup;	/* rollup.c: kept between calls */
	void		*progs[STORE_PROGS];	/* programmes.c: prog_defs read */
	int		 nprogs;
	int64_t		 progs_dv;	/* data_version they were read at */
	struct store	**readers;	/* readers.c: help-desk reads */
	size_t		 nreaders;
	unsigned	 next_reader;	/* round robin (atomic) */
	sqlite3		*ckdb;		/* store_checkpoint()'s own connection */
	int		 wal_pages;	/* in the log after the last commit
					 * (atomic; from the WAL hook) */
	int		 limit_ms;	/* a reader: a query's time limit */
	int64_t		 deadline_ms;	/* a reader: when this query stops */
};

/*
 * Where a help-desk read runs (readers.c): one of the store's read
 * connections when it has them, else st itself.  Use it in place of st,
 * then lock and unlock as always.  Only for reads that are never called
 * inside a transaction (they lock the store themselves, so they could not
 * be): a reader sees the last commit, not a transaction under way.
 */
struct store	*store_reader(struct store *);

/*
 * The one way to a prepared statement: the statement for the SQL text sql,
 * prepared (SQLITE_PREPARE_PERSISTENT) on its first use and kept until
 * store_close().  sql is looked up by its text, so a string built at run
 * time (an inbox shape) finds its statement again; it is copied, so the
 * caller's buffer may go.  The cache grows as needed: it never refuses a
 * statement for want of room.  NULL, logged, when the text does not
 * prepare or memory ran out: the caller returns MJ_EDB.  Call under the
 * store's lock (or before the store is shared, in store_open()).  Each use
 * ends with done(), which leaves the statement ready for the next.
 */
sqlite3_stmt	*store_stmt(struct store *, const char *sql);

/* Take a cached statement or return MJ_EDB (already logged). */
#define PREP(q, sql) do {						\
	if (((q) = store_stmt(st, (sql))) == NULL)			\
		return MJ_EDB;						\
} while (0)

/*
 * The statements store_open() prepares at once, so that a schema they do
 * not fit stops start-up instead of a message later: NULL-terminated lists
 * from contacts.c and messages.c.
 */
extern const char *const contacts_sql[];
extern const char *const messages_sql[];

static inline enum mj_err
db_fail(struct store *st, const char *op)
{
	log_err("store.fail", "op=%s err=\"%s\"", op, sqlite3_errmsg(st->db));
	return MJ_EDB;
}

/* Ready q for its next use: reset, bindings cleared. */
static inline void
done(sqlite3_stmt *q)
{
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
}

/* Step a bound statement that returns no rows; done() either way. */
static inline enum mj_err
step_done(struct store *st, sqlite3_stmt *q, const char *op)
{
	int	rc = sqlite3_step(q);

	done(q);
	return rc == SQLITE_DONE ? MJ_OK : db_fail(st, op);
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

/* A NULL string binds SQL NULL; the text is copied (SQLITE_TRANSIENT). */
static inline void
bind_str(sqlite3_stmt *q, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(q, i);
	else
		sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
}

/* Column i into dst ("" for NULL), cut to size. */
static inline void
col_copy(sqlite3_stmt *q, int i, char *dst, size_t size)
{
	const unsigned char	*s = sqlite3_column_text(q, i);

	snprintf(dst, size, "%s", s != NULL ? (const char *)s : "");
}

/* Column i borrowed from SQLite ("" for NULL): valid until the next step. */
static inline const char *
col_text(sqlite3_stmt *q, int i)
{
	const unsigned char	*s = sqlite3_column_text(q, i);

	return s != NULL ? (const char *)s : "";
}

/*
 * A listing's typed callback kept generic: each row builder casts fn back
 * to the type its header gives.
 */
struct row_cb {
	void	(*fn)(void);
	void	*arg;
};

/*
 * Step bound q to its end, handing each row to row(q, arg); row returning
 * non-zero stops (not an error).  done() either way.
 */
static inline enum mj_err
step_each(struct store *st, sqlite3_stmt *q, const char *op,
    int (*row)(sqlite3_stmt *, void *), void *arg)
{
	enum mj_err	rc = MJ_OK;
	int		s;

	while ((s = sqlite3_step(q)) == SQLITE_ROW)
		if (row(q, arg) != 0) {
			s = SQLITE_DONE;
			break;
		}
	if (s != SQLITE_DONE)
		rc = db_fail(st, op);
	done(q);
	return rc;
}

/* Take the store's lock and sql's statement; NULL (unlocked) on failure. */
static inline sqlite3_stmt *
lock_stmt(struct store *st, const char *sql)
{
	sqlite3_stmt	*q;

	pthread_mutex_lock(&st->lock);
	if (st->limit_ms > 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		st->deadline_ms = (int64_t)ts.tv_sec * 1000 +
		    ts.tv_nsec / 1000000 + st->limit_ms;
	}
	if ((q = store_stmt(st, sql)) == NULL)
		pthread_mutex_unlock(&st->lock);
	return q;
}
#endif
