/*
 * pg.c - the PostgreSQL connection behind a struct store opened on a
 * PostgreSQL URL (db.url): connecting (libpq multi-host URLs and
 * target_session_attrs=read-write do the failover), PostgreSQL's own
 * migrations under an advisory lock, transactions and savepoints, one
 * prepared statement per SQL text and connection, and the retry rules: a
 * lost connection, 40001 or 40P01 is noted as retryable, and a broken
 * connection is opened again, with a backoff, before the next statement
 * that runs outside a transaction.  Errors are logged with the SQLSTATE
 * and the server's primary message, never its detail (which may quote a
 * row's values), and the URL's password is never printed.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "base/log.h"
#include "store/migrations.h"
#include "store/pg_int.h"
#include "store/sqltab_int.h"
#include "store/store.h"
#include "store/store_int.h"

#define PREP_MIN	64	/* the statement table's first size */
#define BACKOFF_MIN_MS	100	/* between tries to connect again */
#define BACKOFF_MAX_MS	2000
#define LOCK_MIGRATE	"murojaat.migrate"
#define LOCK_SEED	"murojaat.seed"

/* A statement prepared on the connection (sqltab_int.h). */
struct prep {
	struct sql_key	 k;
	char		 name[16];
};

struct pg {
	PGconn		*conn;
	char		*url;
	char		 where[320];	/* host, port, dbname, user: no secret */
	struct prep	*prep;
	size_t		 nprep, capprep;
	unsigned	 next_name;
	int		 in_tx;
	int		 retry;		/* the last failure may pass */
	int64_t		 next_try_ms;	/* no new connection before */
	int		 backoff_ms;
	int		 limit_ms;	/* a reader's statement_timeout */
	int64_t		*txn;		/* messages of this transaction */
	size_t		 ntxn, captxn;
};

static int64_t
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
pg_url_is(const char *path)
{
	if (path == NULL)
		return 0;
	return strncmp(path, "postgresql://", 13) == 0 ||
	    strncmp(path, "postgres://", 11) == 0 ||
	    strchr(path, '=') != NULL;
}

/* Parameters. */

void
pgq_str(struct pgq *p, const char *s)
{
	if (p->n < PGQ_MAX)
		p->v[p->n++] = s;
}

void
pgq_str_null(struct pgq *p, const char *s)
{
	pgq_str(p, s != NULL && s[0] != '\0' ? s : NULL);
}

void
pgq_int(struct pgq *p, int64_t v)
{
	if (p->n < PGQ_MAX) {
		snprintf(p->num[p->n], sizeof(p->num[0]), "%lld", (long long)v);
		p->v[p->n] = p->num[p->n];
		p->n++;
	}
}

void
pgq_dbl(struct pgq *p, double v)
{
	if (p->n < PGQ_MAX) {
		snprintf(p->num[p->n], sizeof(p->num[0]), "%.17g", v);
		p->v[p->n] = p->num[p->n];
		p->n++;
	}
}

void
pgq_null(struct pgq *p)
{
	pgq_str(p, NULL);
}

const char *
pgq_ids(char *buf, size_t size, const int64_t *ids, size_t n)
{
	size_t	len = 0;
	int	w;

	if (size < 3)
		return NULL;
	buf[len++] = '{';
	for (size_t i = 0; i < n; i++) {
		w = snprintf(buf + len, size - len, "%s%lld", i > 0 ? "," : "",
		    (long long)ids[i]);
		if (w < 0 || (size_t)w >= size - len)
			return NULL;
		len += (size_t)w;
	}
	if (len + 2 > size)
		return NULL;
	buf[len++] = '}';
	buf[len] = '\0';
	return buf;
}

/* Readers of results. */

int
pg_isnull(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col);
}

int64_t
pg_int(const PGresult *r, int row, int col)
{
	const char	*s = PQgetvalue(r, row, col);

	if (s == NULL || s[0] == '\0')
		return 0;
	if (s[0] == 't')
		return 1;
	if (s[0] == 'f')
		return 0;
	return strtoll(s, NULL, 10);
}

double
pg_dbl(const PGresult *r, int row, int col)
{
	const char	*s = PQgetvalue(r, row, col);

	return s != NULL && s[0] != '\0' ? strtod(s, NULL) : 0;
}

const char *
pg_str(const PGresult *r, int row, int col)
{
	const char	*s = PQgetvalue(r, row, col);

	return s != NULL ? s : "";
}

int
pg_bool(const PGresult *r, int row, int col)
{
	const char	*s = PQgetvalue(r, row, col);

	return s != NULL && (s[0] == 't' || (s[0] >= '1' && s[0] <= '9'));
}

void
pg_copy(const PGresult *r, int row, int col, char *dst, size_t size)
{
	snprintf(dst, size, "%s", pg_str(r, row, col));
}

char *
pg_dup(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return strdup(pg_str(r, row, col));
}

void
pg_lock(struct store *st)
{
	pthread_mutex_lock(&st->lock);
}

void
pg_unlock(struct store *st)
{
	pthread_mutex_unlock(&st->lock);
}

const char *
pg_node(void)
{
	static char	node[96];

	if (node[0] == '\0') {		/* a benign race: the same text */
		char	host[64] = "";

		gethostname(host, sizeof(host) - 1);
		snprintf(node, sizeof(node), "%s:%ld", host, (long)getpid());
	}
	return node;
}

void
pg_txn_msg(struct store *st, int64_t id)
{
	struct pg	*pg = st->pg;

	if (pg->ntxn == pg->captxn) {
		size_t	 cap = pg->captxn ? pg->captxn * 2 : 64;
		int64_t	*t = realloc(pg->txn, cap * sizeof(*t));

		if (t == NULL)
			return;	/* the background indexer takes it */
		pg->txn = t;
		pg->captxn = cap;
	}
	pg->txn[pg->ntxn++] = id;
}

const int64_t *
pg_txn_msgs(struct store *st, size_t *n)
{
	*n = st->pg->ntxn;
	return st->pg->txn;
}

/* The connection. */

/* pg->where: the URL's host, port, database and user; never the password. */
static void
describe(struct pg *pg)
{
	PQconninfoOption	*o, *opts;
	char			*err = NULL;
	const char		*host = "", *port = "", *db = "", *user = "";
	int			 pw = 0;

	if ((opts = PQconninfoParse(pg->url, &err)) == NULL) {
		snprintf(pg->where, sizeof(pg->where), "url=(unreadable: %s)",
		    err != NULL ? err : "out of memory");
		PQfreemem(err);
		for (char *c = pg->where; *c != '\0'; c++)
			if (*c == '\n' || *c == '"')
				*c = ' ';
		return;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || o->val[0] == '\0')
			continue;
		if (strcmp(o->keyword, "host") == 0 ||
		    (strcmp(o->keyword, "hostaddr") == 0 && host[0] == '\0'))
			host = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
		else if (strcmp(o->keyword, "dbname") == 0)
			db = o->val;
		else if (strcmp(o->keyword, "user") == 0)
			user = o->val;
		else if (strcmp(o->keyword, "password") == 0)
			pw = 1;
	}
	snprintf(pg->where, sizeof(pg->where),
	    "host=\"%s\" port=\"%s\" dbname=\"%s\" user=\"%s\" password=%s",
	    host[0] ? host : "(default)", port[0] ? port : "(default)",
	    db[0] ? db : "(default)", user[0] ? user : "(default)",
	    pw ? "***" : "(none)");
	PQconninfoFree(opts);
}

/* The server's words for a failure, on one line and without quotes. */
static void
flat(char *dst, size_t size, const char *s)
{
	size_t	i = 0;

	for (; s != NULL && *s != '\0' && i + 1 < size; s++)
		dst[i++] = *s == '\n' || *s == '\r' || *s == '"' ? ' ' : *s;
	while (i > 0 && dst[i - 1] == ' ')
		i--;
	dst[i] = '\0';
}

static void
prep_clear(struct pg *pg)
{
	for (size_t i = 0; i < pg->capprep; i++) {
		free(pg->prep[i].k.sql);
		pg->prep[i].k.sql = NULL;
	}
	pg->nprep = 0;
}

static void
quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Connect (again): MJ_OK, or MJ_EDB logged with pg->where. */
static enum mj_err
connect_now(struct pg *pg, const char *why)
{
	const char *const	 kw[] = { "connect_timeout", "application_name",
				    "dbname", NULL };
	const char		*val[] = { "5", "murojaat", pg->url, NULL };
	char			 msg[400], opt[64];
	PGresult		*r;

	if (pg->conn != NULL)
		PQfinish(pg->conn);
	prep_clear(pg);
	pg->in_tx = 0;
	pg->conn = PQconnectdbParams(kw, val, 1);
	if (pg->conn == NULL || PQstatus(pg->conn) != CONNECTION_OK) {
		flat(msg, sizeof(msg), pg->conn != NULL ?
		    PQerrorMessage(pg->conn) : "out of memory");
		log_err("store.pg.connect", "%s why=%s err=\"%s\"", pg->where,
		    why, msg);
		if (pg->conn != NULL)
			PQfinish(pg->conn);
		pg->conn = NULL;
		return MJ_EDB;
	}
	/* NOTICEs ("already exists, skipping") are not the service's news. */
	PQsetNoticeProcessor(pg->conn, quiet, NULL);
	snprintf(opt, sizeof(opt), "SET statement_timeout = %d",
	    pg->limit_ms > 0 ? pg->limit_ms : 0);
	r = PQexec(pg->conn, opt);
	PQclear(r);
	pg->backoff_ms = 0;
	if (strcmp(why, "open") != 0)
		log_info("store.pg.connect", "%s why=%s", pg->where, why);
	return MJ_OK;
}

/* A connection to run on: MJ_EDB (retryable) when there is none yet. */
static enum mj_err
ensure(struct store *st)
{
	struct pg	*pg = st->pg;
	int64_t		 now;

	if (pg->conn != NULL && PQstatus(pg->conn) == CONNECTION_OK)
		return MJ_OK;
	pg->retry = 1;
	if (pg->in_tx)		/* the transaction is gone with it */
		return MJ_EDB;
	now = mono_ms();
	if (now < pg->next_try_ms)
		return MJ_EDB;
	if (connect_now(pg, "lost") == MJ_OK)
		return MJ_OK;
	pg->backoff_ms = pg->backoff_ms == 0 ? BACKOFF_MIN_MS :
	    pg->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
	    pg->backoff_ms * 2;
	pg->next_try_ms = now + pg->backoff_ms;
	return MJ_EDB;
}

/* Note whether a failure may pass, and log it. */
static void
failed(struct store *st, const char *op, const PGresult *r)
{
	struct pg	*pg = st->pg;
	const char	*state = r != NULL ?
			    PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char	*prim = r != NULL ?
			    PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char		 msg[300];

	if (PQstatus(pg->conn) != CONNECTION_OK || state == NULL ||
	    strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0 ||
	    strcmp(state, "25006") == 0)	/* read-only: a standby now */
		pg->retry = 1;
	if (state != NULL && strcmp(state, "25006") == 0) {
		/* The server became a standby: find the primary again. */
		PQfinish(pg->conn);
		pg->conn = NULL;
	}
	flat(msg, sizeof(msg), prim != NULL ? prim :
	    pg->conn != NULL ? PQerrorMessage(pg->conn) : "connection lost");
	log_err("store.fail", "op=%s sqlstate=%s err=\"%s\"", op,
	    state != NULL ? state : "none", msg);
}

static int
prep_grow(struct pg *pg)
{
	struct prep	*t;

	if ((t = sqltab_grow(pg->prep, sizeof(*t), &pg->capprep,
	    PREP_MIN)) == NULL)
		return -1;
	pg->prep = t;
	return 0;
}

/* The name of sql's statement on this connection, prepared if new. */
static const char *
prepared(struct store *st, const char *op, const char *sql)
{
	struct pg	*pg = st->pg;
	uint64_t	 h = sqltab_hash(sql);
	struct prep	*s;
	PGresult	*r;

	if ((pg->nprep + 1) * 2 > pg->capprep && prep_grow(pg) == -1)
		return NULL;
	s = sqltab_slot(pg->prep, sizeof(*s), pg->capprep, sql, h);
	if (s->k.sql != NULL)
		return s->name;
	snprintf(s->name, sizeof(s->name), "q%u", pg->next_name++);
	r = PQprepare(pg->conn, s->name, sql, 0, NULL);
	if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
		failed(st, op, r);
		PQclear(r);
		return NULL;
	}
	PQclear(r);
	if ((s->k.sql = strdup(sql)) == NULL)
		return NULL;
	s->k.hash = h;
	pg->nprep++;
	return s->name;
}

PGresult *
pg_exec(struct store *st, const char *op, const char *sql,
    const struct pgq *p)
{
	const char	*name;
	PGresult	*r;
	ExecStatusType	 s;

	st->pg->retry = 0;
	if (ensure(st) != MJ_OK) {
		log_err("store.fail", "op=%s sqlstate=none err=\"no connection "
		    "to the database\" %s", op, st->pg->where);
		return NULL;
	}
	if (p != NULL && p->fresh)
		r = PQexecParams(st->pg->conn, sql, p->n, NULL, p->v, NULL,
		    NULL, 0);
	else if ((name = prepared(st, op, sql)) == NULL)
		return NULL;
	else
		r = PQexecPrepared(st->pg->conn, name, p != NULL ? p->n : 0,
		    p != NULL ? p->v : NULL, NULL, NULL, 0);
	s = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
		return r;
	failed(st, op, r);
	PQclear(r);
	return NULL;
}

enum mj_err
pg_do(struct store *st, const char *op, const char *sql, const struct pgq *p)
{
	PGresult	*r = pg_exec(st, op, sql, p);

	if (r == NULL)
		return MJ_EDB;
	PQclear(r);
	return MJ_OK;
}

enum mj_err
pg_one_int(struct store *st, const char *op, const char *sql,
    const struct pgq *p, int64_t *v)
{
	PGresult	*r = pg_exec(st, op, sql, p);
	enum mj_err	 rc = MJ_ENOTFOUND;

	if (r == NULL)
		return MJ_EDB;
	if (PQntuples(r) > 0) {
		*v = pg_int(r, 0, 0);
		rc = MJ_OK;
	}
	PQclear(r);
	return rc;
}

enum mj_err
pg_script(struct store *st, const char *op, const char *sql)
{
	PGresult	*r;
	ExecStatusType	 s;

	st->pg->retry = 0;
	if (ensure(st) != MJ_OK)
		return MJ_EDB;
	r = PQexec(st->pg->conn, sql);
	s = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		PQclear(r);
		return MJ_OK;
	}
	failed(st, op, r);
	PQclear(r);
	return MJ_EDB;
}

/* Migrations, under an advisory lock so that nodes may start at once. */

static enum mj_err
advisory(struct store *st, const char *key, int take)
{
	struct pgq	p;

	pgq_init(&p);
	pgq_str(&p, key);
	return pg_do(st, take ? "advisory_lock" : "advisory_unlock", take ?
	    "SELECT pg_advisory_lock(hashtext($1))" :
	    "SELECT pg_advisory_unlock(hashtext($1))", &p);
}

static enum mj_err
migrate(struct store *st)
{
	int64_t		have = 0, top = 0;
	enum mj_err	rc = MJ_OK;

	if (advisory(st, LOCK_MIGRATE, 1) != MJ_OK)
		return MJ_EDB;
	if (pg_script(st, "migrate", "CREATE TABLE IF NOT EXISTS "
	    "schema_migrations (version integer PRIMARY KEY, name text NOT "
	    "NULL, applied_at bigint NOT NULL)") != MJ_OK ||
	    pg_one_int(st, "migrate", "SELECT coalesce(max(version), 0) FROM "
	    "schema_migrations", NULL, &have) != MJ_OK) {
		advisory(st, LOCK_MIGRATE, 0);
		return MJ_EDB;
	}
	for (size_t i = 0; i < pg_migrations_count; i++)
		if (pg_migrations[i].version > top)
			top = pg_migrations[i].version;
	if (have > top) {
		log_err("store.open", "%s err=\"the database's schema is "
		    "version %lld, newer than this program's %lld: run the "
		    "newer program, or restore a backup\"", st->pg->where,
		    (long long)have, (long long)top);
		advisory(st, LOCK_MIGRATE, 0);
		return MJ_EDB;
	}
	for (size_t i = 0; i < pg_migrations_count && rc == MJ_OK; i++) {
		const struct migration	*m = &pg_migrations[i];
		struct pgq		 p;

		if (m->version <= have)
			continue;
		pgq_init(&p);
		pgq_int(&p, m->version);
		pgq_str(&p, m->name);
		if (pg_script(st, "migrate", "BEGIN") != MJ_OK ||
		    pg_script(st, m->name, m->sql) != MJ_OK ||
		    pg_do(st, "migrate", "INSERT INTO schema_migrations "
		    "(version, name, applied_at) VALUES ($1, $2, "
		    "extract(epoch FROM now())::bigint)", &p) != MJ_OK ||
		    pg_script(st, "migrate", "COMMIT") != MJ_OK) {
			log_err("store.migrate", "version=%d name=%s backend="
			    "postgresql", m->version, m->name);
			pg_script(st, "migrate", "ROLLBACK");
			rc = MJ_EDB;
			break;
		}
		log_info("store.migrate", "version=%d name=%s backend="
		    "postgresql", m->version, m->name);
	}
	if (advisory(st, LOCK_MIGRATE, 0) != MJ_OK)
		rc = MJ_EDB;
	return rc;
}

static enum mj_err
pg_connect_store(struct store *st, const char *url, int limit_ms)
{
	if ((st->pg = calloc(1, sizeof(*st->pg))) == NULL ||
	    (st->pg->url = strdup(url)) == NULL)
		return MJ_ENOMEM;
	st->pg->limit_ms = limit_ms;
	describe(st->pg);
	return connect_now(st->pg, "open");
}

enum mj_err
pg_open(struct store *st, const char *url)
{
	enum mj_err	rc;

	if ((rc = pg_connect_store(st, url, 0)) != MJ_OK)
		return rc;
	log_info("store.open", "backend=postgresql %s", st->pg->where);
	return migrate(st);
}

void
pg_close(struct store *st)
{
	struct pg	*pg = st->pg;

	if (pg == NULL)
		return;
	if (pg->conn != NULL)
		PQfinish(pg->conn);
	prep_clear(pg);
	free(pg->prep);
	free(pg->url);
	free(pg->txn);
	free(pg);
	st->pg = NULL;
}

enum mj_err
pg_open_readers(struct store *st, int n, int limit_ms)
{
	if (n <= 0)
		return MJ_OK;
	if ((st->readers = calloc((size_t)n, sizeof(*st->readers))) == NULL)
		return MJ_ENOMEM;
	for (int i = 0; i < n; i++) {
		struct store	*r = calloc(1, sizeof(*r));

		if (r == NULL)
			return MJ_ENOMEM;
		pthread_mutex_init(&r->lock, NULL);
		pthread_mutex_init(&r->wal_lock, NULL);
		r->wal_fd = -1;
		r->limit_ms = limit_ms;
		st->readers[st->nreaders++] = r;
		if (pg_connect_store(r, st->pg->url, limit_ms) != MJ_OK)
			return MJ_EDB;
	}
	return MJ_OK;
}

/* Transactions. */

enum mj_err
pg_begin(struct store *st)
{
	st->pg->ntxn = 0;
	if (pg_script(st, "begin", "BEGIN") != MJ_OK)
		return MJ_EDB;
	st->pg->in_tx = 1;
	return MJ_OK;
}

enum mj_err
pg_end(struct store *st, int commit)
{
	struct pg	*pg = st->pg;
	enum mj_err	 rc = MJ_OK;
	int		 retry;

	if (commit) {
		PGresult	*r;

		pg->retry = 0;
		if (ensure(st) != MJ_OK)
			rc = MJ_EDB;
		else {
			r = PQexec(pg->conn, "COMMIT");
			/*
			 * COMMIT of a transaction a statement failed in answers
			 * ROLLBACK without an error: its rows were not kept.
			 */
			if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
				failed(st, "commit", r);
				rc = MJ_EDB;
			} else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
				log_err("store.fail", "op=commit sqlstate=none "
				    "err=\"the transaction had failed and was "
				    "rolled back\"");
				rc = MJ_EDB;
			}
			PQclear(r);
		}
	}
	retry = pg->retry;
	if (!commit || rc != MJ_OK) {
		if (pg->conn != NULL && PQstatus(pg->conn) == CONNECTION_OK &&
		    PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
			pg_script(st, "rollback", "ROLLBACK");
	}
	pg->retry = retry;
	pg->in_tx = 0;
	pg->ntxn = 0;
	return rc;
}

enum mj_err
pg_savepoint(struct store *st)
{
	return pg_script(st, "savepoint", "SAVEPOINT m");
}

enum mj_err
pg_savepoint_end(struct store *st, int keep)
{
	return pg_script(st, "savepoint_end", keep ? "RELEASE SAVEPOINT m" :
	    "ROLLBACK TO SAVEPOINT m; RELEASE SAVEPOINT m");
}

int
pg_schema_version(struct store *st)
{
	int64_t	v = 0;

	pg_lock(st);
	if (pg_one_int(st, "schema_version", "SELECT coalesce(max(version), "
	    "0) FROM schema_migrations", NULL, &v) != MJ_OK)
		v = 0;
	pg_unlock(st);
	return (int)v;
}

int
pg_retryable(struct store *st)
{
	return st->pg != NULL && st->pg->retry;
}

enum mj_err
pg_seed_lock(struct store *st, int take)
{
	enum mj_err	rc;

	pg_lock(st);
	rc = advisory(st, LOCK_SEED, take);
	pg_unlock(st);
	return rc;
}
