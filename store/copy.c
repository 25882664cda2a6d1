/*
 * copy.c - murojaat store copy: a SQLite store (db.path) into a new,
 * empty PostgreSQL database, in one PostgreSQL transaction, then the row
 * counts of both sides compared table by table.
 *
 * Both sides are opened with store_open(), so each is at its newest schema
 * (the SQLite file migrated, PostgreSQL's migrations applied); the rows
 * then travel over a libpq connection of this file's own, with COPY ...
 * FROM STDIN in text format (values escaped, never pasted into SQL).  Ids
 * are kept and each identity's sequence is set past the highest.  The
 * column lists come from PostgreSQL's schema: a SQLite column that has no
 * place there stops the copy rather than being dropped.  Derived data
 * (conversation summaries, search rows, the dashboard's roll-ups) is not
 * copied: every message goes into index_queue, and the help desk's
 * indexer on the first node that runs rebuilds it.  Nothing of a row is
 * printed: the report holds table names and counts, errors the SQLSTATE
 * and the server's words cut before any quoted value.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "store/pg_int.h"
#include "store/store.h"
#include "store/store_int.h"

#define COPY_COLS	64		/* columns of one table, at most */
#define COPY_FLUSH	(256 * 1024)	/* bytes handed to libpq at a time */
#define COPY_PROGRESS	100000		/* rows between progress lines */

/*
 * What is copied, in foreign-key order (messages.reply_to points at an
 * earlier message: its rows go in id order).
 */
static const char *const copied[] = {
	"programmes", "programme_texts", "programme_rules", "settings",
	"offices", "office_texts", "office_aliases", "applications",
	"application_history", "contacts", "messages", "outbox",
	"delivery_reports", "staff", "sessions", "login_failures", "audit",
	"notes", "labels", "message_labels"
};
#define NCOPIED	(sizeof(copied) / sizeof(copied[0]))

/*
 * SQLite's tables that are not copied: what the indexer and the roll-up
 * derive from the messages (rebuilt on PostgreSQL from index_queue), and
 * each backend's own migration record.  The FTS5 tables and their shadow
 * tables are recognised by their CREATE VIRTUAL TABLE.
 */
static const char *const rebuilt[] = {
	"conversations", "index_state", "dash_days", "dash_counts",
	"dash_reply", "dash_ussd", "schema_migrations"
};

/*
 * PostgreSQL's derived tables: emptied with the rest before the copy, so
 * that nothing stale meets the rebuild.
 */
static const char *const pg_derived[] = {
	"index_queue", "message_search", "conversations", "dash_days",
	"dash_counts", "dash_reply", "dash_ussd", "chat_sends"
};

/* Rows in any of these make the target "not empty". */
static const char *const owned[] = {
	"applications", "contacts", "messages", "staff"
};

struct buf {
	char	*p;
	size_t	 len, cap;
};

struct copy {
	sqlite3		*db;		/* the source store's connection */
	PGconn		*pg;		/* the target: our own connection */
	FILE		*out;
	char		 where[400];	/* the target, without its password */
	char		*why;
	size_t		 whylen;
	struct buf	 b;
	int64_t		 rows[NCOPIED];	/* COPY's own count */
};

/* c->why gets the reason; returns rc. */
__attribute__((format(printf, 3, 4)))
static enum mj_err
fail(struct copy *c, enum mj_err rc, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(c->why, c->whylen, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * The server's words on one line; with cut, up to the first ": " - what
 * follows may quote a row's value ("invalid input syntax for type bigint:
 * \"...\"").
 */
static void
words(char *dst, size_t size, const char *s, int cut)
{
	size_t	i = 0;

	for (; s != NULL && *s != '\0' && i + 1 < size; s++) {
		if (cut && s[0] == ':' && (s[1] == ' ' || s[1] == '\0'))
			break;
		if ((*s == '\n' || *s == '\r' || *s == '\t') &&
		    (i == 0 || dst[i - 1] == ' '))
			continue;
		dst[i++] = *s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s;
	}
	while (i > 0 && dst[i - 1] == ' ')
		i--;
	dst[i] = '\0';
}

/* A failed statement's reason into c->why: MJ_EDB. */
static enum mj_err
pg_failed(struct copy *c, const char *op, const PGresult *r)
{
	const char	*state = r != NULL ?
			    PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char	*prim = r != NULL ?
			    PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char	*ctx = r != NULL ?
			    PQresultErrorField(r, PG_DIAG_CONTEXT) : NULL;
	char		 msg[300], where[160] = "";

	words(msg, sizeof(msg), prim != NULL ? prim : PQerrorMessage(c->pg),
	    1);
	if (ctx != NULL)		/* "COPY messages, line 3, column x" */
		words(where, sizeof(where), ctx, 1);
	return fail(c, MJ_EDB, "%s: PostgreSQL said %s%s%s%s%s%s", op,
	    state != NULL ? state : "", state != NULL ? " " : "", msg,
	    where[0] ? " (" : "", where[0] ? where : "", where[0] ? ")" : "");
}

/*
 * Run sql with n text parameters; the result (the caller PQclear()s it)
 * when its status is want, else NULL with c->why set.
 */
static PGresult *
pgx(struct copy *c, const char *op, const char *sql, int n,
    const char *const *v, ExecStatusType want)
{
	PGresult	*r = PQexecParams(c->pg, sql, n, NULL, v, NULL, NULL, 0);

	if (r != NULL && PQresultStatus(r) == want)
		return r;
	pg_failed(c, op, r);
	PQclear(r);
	return NULL;
}

static enum mj_err
pg_run(struct copy *c, const char *op, const char *sql)
{
	PGresult	*r = pgx(c, op, sql, 0, NULL, PGRES_COMMAND_OK);

	if (r == NULL)
		return MJ_EDB;
	PQclear(r);
	return MJ_OK;
}

/* One bigint from row 0, column 0 of sql: MJ_OK or MJ_EDB. */
static enum mj_err
pg_count(struct copy *c, const char *op, const char *sql, int64_t *v)
{
	PGresult	*r = pgx(c, op, sql, 0, NULL, PGRES_TUPLES_OK);

	if (r == NULL)
		return MJ_EDB;
	*v = PQntuples(r) > 0 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	return MJ_OK;
}

static enum mj_err
sq_failed(struct copy *c, const char *op)
{
	return fail(c, MJ_EDB, "%s: SQLite said %s", op,
	    sqlite3_errmsg(c->db));
}

/* The buffer. */

static int
buf_room(struct buf *b, size_t more)
{
	char	*p;
	size_t	 cap;

	if (b->len + more <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

static int
buf_add(struct buf *b, const char *s, size_t n)
{
	if (buf_room(b, n) == -1)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

/*
 * A value in COPY's text format: backslash, tab, newline and carriage
 * return escaped (the delimiter, the row's end and the escape itself);
 * every other byte goes as it is.
 */
static int
buf_text(struct buf *b, const unsigned char *s, size_t n)
{
	if (buf_room(b, n * 2) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char	e = 0;

		switch (s[i]) {
		case '\\':
			e = '\\';
			break;
		case '\t':
			e = 't';
			break;
		case '\n':
			e = 'n';
			break;
		case '\r':
			e = 'r';
			break;
		}
		if (e != 0) {
			b->p[b->len++] = '\\';
			b->p[b->len++] = e;
		} else
			b->p[b->len++] = (char)s[i];
	}
	return 0;
}

/* An identifier from a schema, double-quoted. */
static int
buf_ident(struct buf *b, const char *s)
{
	if (buf_add(b, "\"", 1) == -1)
		return -1;
	for (; *s != '\0'; s++)
		if (buf_add(b, s, 1) == -1 || (*s == '"' &&
		    buf_add(b, "\"", 1) == -1))
			return -1;
	return buf_add(b, "\"", 1);
}

/* b's text, NUL-terminated, or NULL when memory ran out. */
static const char *
buf_str(struct buf *b)
{
	if (buf_room(b, 1) == -1)
		return NULL;
	b->p[b->len] = '\0';
	return b->p;
}

/* The target's description: host, port, database, user; no password. */
static int
describe(const char *url, char *dst, size_t size)
{
	PQconninfoOption	*o, *opts;
	const char		*host = "", *port = "", *db = "", *user = "";

	/* libpq's reason may quote the URL, password and all: not shown. */
	if ((opts = PQconninfoParse(url, NULL)) == NULL)
		return -1;
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
	}
	snprintf(dst, size, "host=%s port=%s dbname=%s user=%s",
	    host[0] ? host : "(default)", port[0] ? port : "(default)",
	    db[0] ? db : "(default)", user[0] ? user : "(default)");
	PQconninfoFree(opts);
	return 0;
}

/* The copy's own connection, UTF-8, with no statement time limit. */
static enum mj_err
connect_target(struct copy *c, const char *url)
{
	const char *const	 kw[] = { "connect_timeout", "application_name",
				    "dbname", NULL };
	const char *const	 val[] = { "10", "murojaat-copy", url, NULL };
	char			 msg[300];

	c->pg = PQconnectdbParams(kw, val, 1);
	if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
		/* libpq's words name the server, never the password. */
		words(msg, sizeof(msg), c->pg != NULL ?
		    PQerrorMessage(c->pg) : "out of memory", 0);
		return fail(c, MJ_EDB, "cannot connect to the PostgreSQL "
		    "database at %s: %s", c->where, msg);
	}
	if (PQsetClientEncoding(c->pg, "UTF8") != 0)
		return fail(c, MJ_EDB, "cannot set the client encoding to "
		    "UTF8 on %s", c->where);
	return pg_run(c, "settings", "SET statement_timeout = 0");
}

/*
 * BEGIN, and every table the copy writes locked against writers (a node
 * already running on it, a second copy): then the check that the target
 * holds no application, contact, message nor staff row.  MJ_EINPUT when
 * it does.
 */
static enum mj_err
begin_empty(struct copy *c)
{
	char		 held[160] = "";
	enum mj_err	 rc;

	c->b.len = 0;
	if (buf_add(&c->b, "LOCK TABLE ", 11) == -1)
		return fail(c, MJ_ENOMEM, "out of memory");
	for (size_t i = 0; i < NCOPIED + sizeof(pg_derived) /
	    sizeof(pg_derived[0]); i++)
		if ((i > 0 && buf_add(&c->b, ", ", 2) == -1) ||
		    buf_ident(&c->b, i < NCOPIED ? copied[i] :
		    pg_derived[i - NCOPIED]) == -1)
			return fail(c, MJ_ENOMEM, "out of memory");
	if (buf_add(&c->b, " IN SHARE ROW EXCLUSIVE MODE", 28) == -1 ||
	    buf_str(&c->b) == NULL)
		return fail(c, MJ_ENOMEM, "out of memory");
	if ((rc = pg_run(c, "begin", "BEGIN")) != MJ_OK ||
	    (rc = pg_run(c, "begin", "SET LOCAL lock_timeout = '10s'")) !=
	    MJ_OK)
		return rc;
	if (pg_run(c, "lock", c->b.p) != MJ_OK) {
		char	 reason[300];

		snprintf(reason, sizeof(reason), "%s", c->why);
		return fail(c, MJ_EDB, "cannot lock the tables of the database "
		    "at %s (%s): is a node running on it? Copy only into a new "
		    "database that no node uses yet", c->where, reason);
	}
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
		char	sql[96];
		int64_t	n;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM (SELECT 1 "
		    "FROM \"%s\" LIMIT 1) x", owned[i]);
		if ((rc = pg_count(c, "check", sql, &n)) != MJ_OK)
			return rc;
		if (n > 0)
			snprintf(held + strlen(held), sizeof(held) -
			    strlen(held), "%s%s", held[0] ? ", " : "",
			    owned[i]);
	}
	if (held[0] != '\0')
		return fail(c, MJ_EINPUT, "the database at %s is not empty "
		    "(it holds %s): copy only into a new database", c->where,
		    held);
	return MJ_OK;
}

/*
 * What a node or `rules import` may have put in a database with no
 * application, contact, message nor staff (programmes, offices, settings,
 * derived rows) gives way to the store's: deleted, children first.
 */
static enum mj_err
clear_target(struct copy *c, int64_t *cleared)
{
	size_t	nd = sizeof(pg_derived) / sizeof(pg_derived[0]);

	*cleared = 0;
	for (size_t k = 0; k < nd + NCOPIED; k++) {
		const char	*t = k < nd ? pg_derived[k] :
				    copied[NCOPIED - 1 - (k - nd)];
		char		 sql[96];
		PGresult	*r;

		snprintf(sql, sizeof(sql), "DELETE FROM \"%s\"", t);
		if ((r = pgx(c, "clear", sql, 0, NULL, PGRES_COMMAND_OK)) ==
		    NULL)
			return MJ_EDB;
		*cleared += strtoll(PQcmdTuples(r), NULL, 10);
		PQclear(r);
	}
	return MJ_OK;
}

/*
 * The columns of table t to copy, in PostgreSQL's order: every column of
 * the SQLite table, each of which must exist in PostgreSQL's (those only
 * PostgreSQL has take their defaults).  *ident: the table has an identity
 * column id.
 */
static enum mj_err
columns(struct copy *c, const char *t, char cols[][64], int *ncols,
    int *ident)
{
	char		 have[COPY_COLS][64];
	int		 nhave = 0, *used = NULL;
	sqlite3_stmt	*q;
	PGresult	*r;
	const char	*v[1] = { t };
	enum mj_err	 rc = MJ_OK;

	*ncols = 0;
	*ident = 0;
	if (sqlite3_prepare_v2(c->db, "SELECT name FROM pragma_table_info(?1)",
	    -1, &q, NULL) != SQLITE_OK)
		return sq_failed(c, t);
	sqlite3_bind_text(q, 1, t, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (nhave == COPY_COLS) {
			sqlite3_finalize(q);
			return fail(c, MJ_EINTERNAL, "table %s has more than %d "
			    "columns", t, COPY_COLS);
		}
		snprintf(have[nhave++], sizeof(have[0]), "%s",
		    (const char *)sqlite3_column_text(q, 0));
	}
	sqlite3_finalize(q);
	if (nhave == 0)
		return fail(c, MJ_EDB, "table %s is missing from the SQLite "
		    "store", t);
	if ((r = pgx(c, t, "SELECT column_name, is_identity = 'YES' FROM "
	    "information_schema.columns WHERE table_schema = "
	    "current_schema() AND table_name = $1 ORDER BY ordinal_position",
	    1, v, PGRES_TUPLES_OK)) == NULL)
		return MJ_EDB;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return fail(c, MJ_EDB, "table %s is missing from PostgreSQL's "
		    "schema", t);
	}
	if ((used = calloc((size_t)nhave, sizeof(*used))) == NULL) {
		PQclear(r);
		return fail(c, MJ_ENOMEM, "out of memory");
	}
	for (int i = 0; i < PQntuples(r); i++) {
		const char	*name = PQgetvalue(r, i, 0);

		for (int j = 0; j < nhave; j++)
			if (strcmp(have[j], name) == 0) {
				used[j] = 1;
				snprintf(cols[(*ncols)++], 64, "%s", name);
				if (strcmp(name, "id") == 0 &&
				    PQgetvalue(r, i, 1)[0] == 't')
					*ident = 1;
			}
	}
	PQclear(r);
	for (int j = 0; j < nhave && rc == MJ_OK; j++)
		if (!used[j])
			rc = fail(c, MJ_EDB, "column %s.%s of the SQLite store "
			    "has no place in PostgreSQL's schema "
			    "(store/migrations-pg): nothing copied", t,
			    have[j]);
	free(used);
	return rc;
}

/* Hand the buffer to COPY when it is full (or when all is set). */
static enum mj_err
flush(struct copy *c, int all)
{
	if (c->b.len == 0 || (!all && c->b.len < COPY_FLUSH))
		return MJ_OK;
	if (PQputCopyData(c->pg, c->b.p, (int)c->b.len) != 1)
		return fail(c, MJ_EDB, "COPY: %s", PQerrorMessage(c->pg));
	c->b.len = 0;
	return MJ_OK;
}

/* One SQLite row onto the buffer, tab-separated, newline-ended. */
static enum mj_err
add_row(struct copy *c, const char *t, sqlite3_stmt *q, char cols[][64],
    int n)
{
	char	num[40];
	int	w;

	for (int i = 0; i < n; i++) {
		int	e = 0;

		if (i > 0 && buf_add(&c->b, "\t", 1) == -1)
			return fail(c, MJ_ENOMEM, "out of memory");
		switch (sqlite3_column_type(q, i)) {
		case SQLITE_NULL:
			e = buf_add(&c->b, "\\N", 2);
			break;
		case SQLITE_INTEGER:
			w = snprintf(num, sizeof(num), "%lld",
			    (long long)sqlite3_column_int64(q, i));
			e = buf_add(&c->b, num, (size_t)w);
			break;
		case SQLITE_FLOAT:
			/* 17 digits: the same double on the other side */
			w = snprintf(num, sizeof(num), "%.17g",
			    sqlite3_column_double(q, i));
			e = buf_add(&c->b, num, (size_t)w);
			break;
		case SQLITE_TEXT:
			e = buf_text(&c->b, sqlite3_column_text(q, i),
			    (size_t)sqlite3_column_bytes(q, i));
			break;
		default:
			return fail(c, MJ_EDB, "column %s.%s holds a blob, "
			    "which PostgreSQL's text column cannot take", t,
			    cols[i]);
		}
		if (e == -1)
			return fail(c, MJ_ENOMEM, "out of memory");
	}
	if (buf_add(&c->b, "\n", 1) == -1)
		return fail(c, MJ_ENOMEM, "out of memory");
	return flush(c, 0);
}

/* COPY's end: MJ_OK with *n rows, or MJ_EDB with the server's reason. */
static enum mj_err
copy_end(struct copy *c, const char *t, const char *abort_why, int64_t *n)
{
	PGresult	*r;
	enum mj_err	 rc = MJ_OK;
	char		 op[80];

	snprintf(op, sizeof(op), "COPY %s", t);
	if (PQputCopyEnd(c->pg, abort_why) != 1)
		rc = fail(c, MJ_EDB, "%s: %s", op, PQerrorMessage(c->pg));
	while ((r = PQgetResult(c->pg)) != NULL) {
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			*n = strtoll(PQcmdTuples(r), NULL, 10);
		else if (rc == MJ_OK && abort_why == NULL)
			rc = pg_failed(c, op, r);
		PQclear(r);
	}
	return rc;
}

/* Table k from SQLite into PostgreSQL, ids kept. */
static enum mj_err
copy_table(struct copy *c, size_t k)
{
	const char	*t = copied[k];
	char		 cols[COPY_COLS][64];
	int		 ncols, ident, s = SQLITE_DONE;
	struct buf	 sel = { NULL, 0, 0 };
	sqlite3_stmt	*q = NULL;
	PGresult	*r;
	enum mj_err	 rc;
	int64_t		 n = 0;

	if ((rc = columns(c, t, cols, &ncols, &ident)) != MJ_OK)
		return rc;
	/* SELECT "a", "b" FROM "t" [ORDER BY "id"]; COPY "t" ("a", "b") */
	c->b.len = 0;
	if (buf_add(&sel, "SELECT ", 7) == -1 ||
	    buf_add(&c->b, "COPY ", 5) == -1 || buf_ident(&c->b, t) == -1 ||
	    buf_add(&c->b, " (", 2) == -1)
		goto nomem;
	for (int i = 0; i < ncols; i++)
		if ((i > 0 && (buf_add(&sel, ", ", 2) == -1 ||
		    buf_add(&c->b, ", ", 2) == -1)) ||
		    buf_ident(&sel, cols[i]) == -1 ||
		    buf_ident(&c->b, cols[i]) == -1)
			goto nomem;
	if (buf_add(&sel, " FROM ", 6) == -1 || buf_ident(&sel, t) == -1 ||
	    (ident && buf_add(&sel, " ORDER BY \"id\"", 14) == -1) ||
	    buf_str(&sel) == NULL ||
	    buf_add(&c->b, ") FROM STDIN", 12) == -1 || buf_str(&c->b) == NULL)
		goto nomem;
	if (sqlite3_prepare_v2(c->db, sel.p, -1, &q, NULL) != SQLITE_OK) {
		free(sel.p);
		return sq_failed(c, t);
	}
	free(sel.p);
	if ((r = pgx(c, t, c->b.p, 0, NULL, PGRES_COPY_IN)) == NULL) {
		sqlite3_finalize(q);
		return MJ_EDB;
	}
	PQclear(r);
	c->b.len = 0;
	while (rc == MJ_OK && (s = sqlite3_step(q)) == SQLITE_ROW) {
		rc = add_row(c, t, q, cols, ncols);
		if (rc == MJ_OK && ++n % COPY_PROGRESS == 0) {
			fprintf(c->out, "  %s: %lld rows\n", t, (long long)n);
			fflush(c->out);
		}
	}
	if (rc == MJ_OK && s != SQLITE_DONE)
		rc = sq_failed(c, t);
	sqlite3_finalize(q);
	if (rc == MJ_OK)
		rc = flush(c, 1);
	if (rc != MJ_OK) {
		copy_end(c, t, "the copy stopped", &n);
		return rc;
	}
	if ((rc = copy_end(c, t, NULL, &c->rows[k])) != MJ_OK)
		return rc;
	if (ident) {
		/* The next row a node adds gets the next id. */
		char	sql[200];

		snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_"
		    "sequence($1, 'id'), m) FROM (SELECT max(id) AS m FROM "
		    "\"%s\") x WHERE m IS NOT NULL", t);
		if ((r = pgx(c, "setval", sql, 1, &t, PGRES_TUPLES_OK)) ==
		    NULL)
			return MJ_EDB;
		PQclear(r);
	}
	return MJ_OK;
nomem:
	free(sel.p);
	return fail(c, MJ_ENOMEM, "out of memory");
}

/*
 * Every SQLite table is either copied or rebuilt: one this file does not
 * know (a migration added it) stops the copy instead of being left out.
 */
static enum mj_err
known_tables(struct copy *c)
{
	sqlite3_stmt	*q;
	char		 virt[8][64];
	int		 nvirt = 0, s;
	enum mj_err	 rc = MJ_OK;

	if (sqlite3_prepare_v2(c->db, "SELECT name, sql LIKE 'CREATE VIRTUAL "
	    "TABLE%' FROM sqlite_master WHERE type = 'table' AND name NOT "
	    "LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY sql LIKE 'CREATE VIRTUAL "
	    "TABLE%' DESC, name", -1, &q, NULL) != SQLITE_OK)
		return sq_failed(c, "tables");
	while (rc == MJ_OK && (s = sqlite3_step(q)) == SQLITE_ROW) {
		const char	*name = (const char *)sqlite3_column_text(q, 0);
		int		 known = 0;

		if (sqlite3_column_int(q, 1)) {
			if (nvirt < 8)
				snprintf(virt[nvirt++], sizeof(virt[0]), "%s",
				    name);
			continue;
		}
		for (size_t i = 0; i < NCOPIED && !known; i++)
			known = strcmp(name, copied[i]) == 0;
		for (size_t i = 0; i < sizeof(rebuilt) / sizeof(rebuilt[0]) &&
		    !known; i++)
			known = strcmp(name, rebuilt[i]) == 0;
		for (int i = 0; i < nvirt && !known; i++) {
			size_t	l = strlen(virt[i]);

			known = strncmp(name, virt[i], l) == 0 &&
			    name[l] == '_';
		}
		if (!known)
			rc = fail(c, MJ_EDB, "the SQLite store has a table %s "
			    "that this program does not know how to copy: "
			    "nothing copied", name);
	}
	if (rc == MJ_OK && s != SQLITE_DONE)
		rc = sq_failed(c, "tables");
	sqlite3_finalize(q);
	return rc;
}

/*
 * The counts of both sides, one line a table; MJ_OK when all match.
 * *total: the rows copied.
 */
static enum mj_err
compare(struct copy *c, int64_t *total)
{
	int	differ = 0;

	*total = 0;
	for (size_t k = 0; k < NCOPIED; k++) {
		char		 sql[96];
		sqlite3_stmt	*q;
		int64_t		 was = -1, now = -1;
		enum mj_err	 rc;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"",
		    copied[k]);
		if (sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) != SQLITE_OK)
			return sq_failed(c, copied[k]);
		if (sqlite3_step(q) == SQLITE_ROW)
			was = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
		if (was < 0)
			return sq_failed(c, copied[k]);
		if ((rc = pg_count(c, copied[k], sql, &now)) != MJ_OK)
			return rc;
		fprintf(c->out, "%s %lld -> %lld%s\n", copied[k],
		    (long long)was, (long long)now, was == now &&
		    now == c->rows[k] ? "" : "  DIFFERENT");
		differ |= was != now || now != c->rows[k];
		*total += now;
	}
	fflush(c->out);
	if (differ)
		return fail(c, MJ_EINTERNAL, "the counts differ: rolled back, "
		    "the database at %s is left as it was", c->where);
	return MJ_OK;
}

static enum mj_err
copy_all(struct copy *c)
{
	enum mj_err	 rc;
	int64_t		 cleared, queued, total;
	PGresult	*r;

	if ((rc = known_tables(c)) != MJ_OK ||
	    (rc = begin_empty(c)) != MJ_OK ||
	    (rc = clear_target(c, &cleared)) != MJ_OK)
		return rc;
	if (cleared > 0)
		fprintf(c->out, "%lld rows already in the target (programmes, "
		    "offices, settings or derived rows) give way to the "
		    "store's\n", (long long)cleared);
	for (size_t k = 0; k < NCOPIED; k++)
		if ((rc = copy_table(c, k)) != MJ_OK)
			return rc;
	if ((r = pgx(c, "index_queue", "INSERT INTO index_queue (message_id) "
	    "SELECT id FROM messages ON CONFLICT DO NOTHING", 0, NULL,
	    PGRES_COMMAND_OK)) == NULL)
		return MJ_EDB;
	queued = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	if ((rc = compare(c, &total)) != MJ_OK)
		return rc;
	if ((r = pgx(c, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK)) ==
	    NULL)
		return MJ_EDB;
	if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		PQclear(r);
		return fail(c, MJ_EDB, "commit: PostgreSQL rolled the "
		    "transaction back");
	}
	PQclear(r);
	fprintf(c->out, "index_queue %lld messages: the help desk's "
	    "conversation summaries, search and dashboard roll-ups are "
	    "rebuilt from them, not copied, by the first node that serves\n"
	    "copied %lld rows of %zu tables: every count matches\n",
	    (long long)queued, (long long)total, NCOPIED);
	fflush(c->out);
	return MJ_OK;
}

enum mj_err
store_copy(const char *sqlite_path, const char *url, FILE *report,
    char *why, size_t whylen)
{
	struct copy	 c;
	struct store	*src = NULL, *dst = NULL;
	struct stat	 sb;
	enum mj_err	 rc;

	memset(&c, 0, sizeof(c));
	c.out = report;
	c.why = why;
	c.whylen = whylen;
	why[0] = '\0';
	if (sqlite_path == NULL || sqlite_path[0] == '\0' ||
	    pg_url_is(sqlite_path))
		return fail(&c, MJ_EINPUT, "the store to copy from must be a "
		    "SQLite file (db.path)");
	if (stat(sqlite_path, &sb) == -1)
		return fail(&c, MJ_ENOTFOUND, "no SQLite store at %s: %s",
		    sqlite_path, strerror(errno));
	if (url == NULL || !pg_url_is(url) ||
	    describe(url, c.where, sizeof(c.where)) == -1)
		return fail(&c, MJ_EINPUT, "the target does not read as a "
		    "PostgreSQL URL (postgresql://USER@HOST/DBNAME) or conninfo "
		    "(host=... dbname=...)");
	fprintf(report, "copying %s into the PostgreSQL database at %s\n",
	    sqlite_path, c.where);
	fflush(report);
	/* Our own connection first: its failure is said here, in full. */
	if ((rc = connect_target(&c, url)) != MJ_OK)
		goto out;
	if (store_open(&src, sqlite_path) != MJ_OK) {
		rc = fail(&c, MJ_EDB, "cannot open the SQLite store %s (see "
		    "the log line above)", sqlite_path);
		goto out;
	}
	if (store_open(&dst, url) != MJ_OK) {
		rc = fail(&c, MJ_EDB, "cannot bring the PostgreSQL database "
		    "at %s to this program's schema (see the log line above)",
		    c.where);
		goto out;
	}
	store_close(dst);
	c.db = src->db;
	/* One snapshot of the store, whoever writes to it meanwhile. */
	if (sqlite3_exec(c.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		rc = sq_failed(&c, "begin");
	else {
		rc = copy_all(&c);
		sqlite3_exec(c.db, "COMMIT", NULL, NULL, NULL);
	}
out:
	if (rc != MJ_OK && c.pg != NULL && PQstatus(c.pg) == CONNECTION_OK &&
	    PQtransactionStatus(c.pg) != PQTRANS_IDLE) {
		PGresult	*r = PQexec(c.pg, "ROLLBACK");

		PQclear(r);
	}
	if (c.pg != NULL)
		PQfinish(c.pg);
	free(c.b.p);
	store_close(src);
	return rc;
}
