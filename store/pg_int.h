/*
 * pg_int.h - what the PostgreSQL files of store/ share (pg*.c): the
 * connection behind a struct store opened on a PostgreSQL URL, bound
 * parameters, and the readers of results.  Each public store_*() function
 * of the SQLite files starts with
 *
 *	if (st->pg != NULL)
 *		return pg_xxx(st, ...);
 *
 * and pg_xxx() does the same work in PostgreSQL's own SQL: $n parameters,
 * ON CONFLICT, RETURNING, FOR UPDATE SKIP LOCKED, tsvector.  Values are
 * always bound (text format), never pasted into SQL.
 *
 * Locking is the SQLite files' own: one struct store is one connection,
 * shared by threads that take turns through st->lock.  store_begin() /
 * store_end() hold it for a transaction; a function that "takes the lock
 * itself" locks, runs its statements (pg_exec() begins nothing: outside
 * store_begin() each statement is its own transaction), and unlocks.
 * Nothing outside store/ includes this header.
 */
#ifndef STORE_PG_INT_H
#define STORE_PG_INT_H
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "base/err.h"

struct store;

#define PGQ_MAX	40	/* parameters of one statement, at most */

/* A statement's parameters, $1..$n, in text format. */
struct pgq {
	const char	*v[PGQ_MAX];	/* NULL: SQL NULL */
	char		 num[PGQ_MAX][32];
	int		 n;
	int		 fresh;		/* planned for these values, each run */
};
static inline void
pgq_init(struct pgq *p)
{
	p->n = 0;
	p->fresh = 0;
}
/*
 * A statement over a batch's ids (= ANY($1::bigint[])): planned anew for
 * each run, with the table's size now.  A prepared statement's generic
 * plan made while messages was nearly empty keeps reading it whole (a
 * sequential scan per batch); once a batch, the planning costs little.
 */
static inline void
pgq_fresh(struct pgq *p)
{
	p->fresh = 1;
}
/* s is borrowed: it must live until the statement has run. */
void		pgq_str(struct pgq *, const char *s);
/* Like pgq_str, but "" binds NULL. */
void		pgq_str_null(struct pgq *, const char *s);
void		pgq_int(struct pgq *, int64_t);
void		pgq_dbl(struct pgq *, double);
void		pgq_null(struct pgq *);
/*
 * A bigint[] parameter ("{1,2,3}") of n ids, written into buf (size); for
 * "WHERE id = ANY($1::bigint[])".  Returns buf, or NULL when it did not
 * fit.
 */
const char	*pgq_ids(char *buf, size_t size, const int64_t *ids, size_t n);

/*
 * Run sql with p's parameters (p may be NULL: none) through a statement
 * prepared on this connection at its first use.  Returns the result
 * (PGRES_TUPLES_OK or PGRES_COMMAND_OK; the caller PQclear()s it) or NULL
 * on failure, logged with op and the server's SQLSTATE and message.  Call
 * with st->lock held.  A failure that may pass (the connection lost,
 * 40001, 40P01) is noted for store_retryable(); a connection found broken
 * outside a transaction is reconnected first (with a backoff).
 */
PGresult	*pg_exec(struct store *, const char *op, const char *sql,
		    const struct pgq *p);
/* pg_exec() for a statement whose rows are not read: MJ_OK or MJ_EDB. */
enum mj_err	 pg_do(struct store *, const char *op, const char *sql,
		    const struct pgq *p);
/*
 * pg_exec() for one integer (row 0, column 0): MJ_OK with *v (0 for
 * NULL), MJ_ENOTFOUND when no row, MJ_EDB.
 */
enum mj_err	 pg_one_int(struct store *, const char *op, const char *sql,
		    const struct pgq *p, int64_t *v);
/*
 * Several statements with no parameters and no rows (a migration's
 * script): simple query protocol.  MJ_OK or MJ_EDB (logged).
 */
enum mj_err	 pg_script(struct store *, const char *op, const char *sql);

/* Readers of a result's cells; NULL reads as 0 or "". */
int		 pg_isnull(const PGresult *, int row, int col);
int64_t		 pg_int(const PGresult *, int row, int col);
double		 pg_dbl(const PGresult *, int row, int col);
const char	*pg_str(const PGresult *, int row, int col);
/* A boolean or integer column as 0/1 ("t", "1": 1). */
int		 pg_bool(const PGresult *, int row, int col);
void		 pg_copy(const PGresult *, int row, int col, char *dst,
		    size_t size);
/* A text column malloc'd (NULL for SQL NULL, or when out of memory). */
char		*pg_dup(const PGresult *, int row, int col);

/* Take and release st->lock around a function's own statements. */
void		 pg_lock(struct store *);
void		 pg_unlock(struct store *);

/* This node's name (host:pid), for the outbox's leases. */
const char	*pg_node(void);

/*
 * The messages written in the transaction under way (store_msg_add()),
 * for store_index_here(): pg.c clears the list at store_begin().
 */
void		 pg_txn_msg(struct store *, int64_t id);
const int64_t	*pg_txn_msgs(struct store *, size_t *n);

/* The core (pg.c): what store.c hands over when st->pg is set. */
int		 pg_url_is(const char *path);	/* a PostgreSQL URL? */
enum mj_err	 pg_open(struct store *, const char *url);
void		 pg_close(struct store *);
enum mj_err	 pg_begin(struct store *);
enum mj_err	 pg_end(struct store *, int commit);
enum mj_err	 pg_savepoint(struct store *);
enum mj_err	 pg_savepoint_end(struct store *, int keep);
int		 pg_schema_version(struct store *);
enum mj_err	 pg_open_readers(struct store *, int n, int limit_ms);
int		 pg_retryable(struct store *);
enum mj_err	 pg_seed_lock(struct store *, int take);

/*
 * Per area, the PostgreSQL side of the SQLite file of the same name.
 * Declared in pg_<area>.h, included by that SQLite file.
 */

/*
 * The help desk's summaries, search rows and the dashboard's roll-up for
 * n messages (their index_queue rows already taken by the caller):
 * pg_index.c does summaries and search and calls pg_rollup_ids() from
 * pg_rollup.c for the counts.
 */
enum mj_err	 pg_rollup_ids(struct store *, const int64_t *ids, size_t n);
#endif
