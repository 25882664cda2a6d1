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
 * each backend's own migration record (and the FTS5 tables, found by
 * their CREATE VIRTUAL TABLE).
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

/* Rows in any of these make the target "not empty" (audit: a trail). */
static const char SQL_HELD[] = "SELECT concat_ws(', ', "
    "CASE WHEN EXISTS (SELECT 1 FROM applications) THEN 'applications' END, "
    "CASE WHEN EXISTS (SELECT 1 FROM contacts) THEN 'contacts' END, "
    "CASE WHEN EXISTS (SELECT 1 FROM messages) THEN 'messages' END, "
    "CASE WHEN EXISTS (SELECT 1 FROM staff) THEN 'staff' END, "
    "CASE WHEN EXISTS (SELECT 1 FROM audit) THEN 'audit' END)";

/* A growing text; a failed allocation is remembered (oom), not returned. */
struct buf {
	char	*p;
	size_t	 len, cap;
	int	 oom;
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
		if (strchr("\n\r\t", *s) == NULL)
			dst[i++] = *s;
		else if (i > 0 && dst[i - 1] != ' ')
			dst[i++] = ' ';
	}
	while (i > 0 && dst[i - 1] == ' ')
		i--;
	dst[i] = '\0';
}

/* A failed statement's reason into c->why: MJ_EDB. */
static enum mj_err
tgt_failed(struct copy *c, const char *op, const PGresult *r)
{
	const char	*state = r != NULL ?
			    PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char	*prim = r != NULL ? PQresultErrorField(r,
			    PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char	*ctx = r != NULL ?
			    PQresultErrorField(r, PG_DIAG_CONTEXT) : NULL;
	char		 msg[300], where[160];

	words(msg, sizeof(msg), prim != NULL ? prim : PQerrorMessage(c->pg),
	    1);
	words(where, sizeof(where), ctx, 1);	/* "COPY t, line 3, column x" */
	return fail(c, MJ_EDB, "%s: PostgreSQL said %s %s%s%s%s", op,
	    state != NULL ? state : "-", msg, where[0] ? " (" : "", where,
	    where[0] ? ")" : "");
}

/*
 * Run sql with n text parameters; the result (the caller PQclear()s it)
 * when its status is want, else NULL with c->why set.
 */
static PGresult *
tgt_exec(struct copy *c, const char *op, const char *sql, int n,
    const char *const *v, ExecStatusType want)
{
	PGresult	*r;

	r = PQexecParams(c->pg, sql, n, NULL, v, NULL, NULL, 0);
	if (r != NULL && PQresultStatus(r) == want)
		return r;
	tgt_failed(c, op, r);
	PQclear(r);
	return NULL;
}

static enum mj_err
tgt_run(struct copy *c, const char *op, const char *sql)
{
	PGresult	*r = tgt_exec(c, op, sql, 0, NULL, PGRES_COMMAND_OK);

	if (r == NULL)
		return MJ_EDB;
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

	if (b->oom)
		return -1;
	if (b->len + more <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (buf_room(b, n) == 0) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

static void
buf_s(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/*
 * A value in COPY's text format: backslash, tab, newline and carriage
 * return escaped (the escape itself, the delimiter, the row's end); every
 * other byte goes as it is.
 */
static void
buf_text(struct buf *b, const unsigned char *s, size_t n)
{
	static const char	esc[256] = { ['\\'] = '\\', ['\t'] = 't',
				    ['\n'] = 'n', ['\r'] = 'r' };

	if (buf_room(b, n * 2) == -1)
		return;
	for (size_t i = 0; i < n; i++)
		if (esc[s[i]] != 0) {
			b->p[b->len++] = '\\';
			b->p[b->len++] = esc[s[i]];
		} else
			b->p[b->len++] = (char)s[i];
}

/* An identifier from a schema, double-quoted. */
static void
buf_ident(struct buf *b, const char *s)
{
	buf_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		buf_add(b, s, 1);
		if (*s == '"')
			buf_add(b, "\"", 1);
	}
	buf_add(b, "\"", 1);
}

/* b's text, NUL-terminated; NULL when memory ran out on the way. */
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
	static const char *const key[] = { "host", "hostaddr", "port",
				    "dbname", "user" };
	const char		*v[5] = { "", "", "", "", "" };
	PQconninfoOption	*o, *opts;

	/* libpq's reason may quote the URL, password and all: not shown. */
	if ((opts = PQconninfoParse(url, NULL)) == NULL)
		return -1;
	for (o = opts; o->keyword != NULL; o++)
		for (int k = 0; k < 5; k++)
			if (strcmp(o->keyword, key[k]) == 0 && o->val != NULL)
				v[k] = o->val;
	snprintf(dst, size, "host=%s port=%s dbname=%s user=%s",
	    v[0][0] ? v[0] : v[1][0] ? v[1] : "(default)",
	    v[2][0] ? v[2] : "(default)", v[3][0] ? v[3] : "(default)",
	    v[4][0] ? v[4] : "(default)");
	PQconninfoFree(opts);
	return 0;
}

/*
 * The copy's own connection: UTF-8, no time limit on a statement, 10 s on
 * waiting for a lock (a node at work on the target).
 */
static enum mj_err
connect_target(struct copy *c, const char *url)
{
	const char *const	 kw[] = { "connect_timeout", "application_name",
				    "client_encoding", "options", "dbname",
				    NULL };
	const char *const	 val[] = { "10", "murojaat-copy", "UTF8",
				    "-c statement_timeout=0 "
				    "-c lock_timeout=10s", url, NULL };
	char			 msg[300];

	c->pg = PQconnectdbParams(kw, val, 1);
	if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
		/* libpq's words name the server, never the password. */
		words(msg, sizeof(msg), c->pg != NULL ?
		    PQerrorMessage(c->pg) : "out of memory", 0);
		return fail(c, MJ_EDB, "cannot connect to the PostgreSQL "
		    "database at %s: %s", c->where, msg);
	}
	return MJ_OK;
}

/*
 * BEGIN, and every table the copy writes locked against writers (a node
 * already running on it, a second copy): then the check that the target
 * holds no application, contact, message, staff nor audit row.  MJ_EINPUT
 * when it does.
 */
static enum mj_err
begin_empty(struct copy *c)
{
	char		 held[160];
	PGresult	*r;

	c->b.len = 0;
	buf_s(&c->b, "LOCK TABLE ");
	for (size_t i = 0; i < NCOPIED + sizeof(pg_derived) /
	    sizeof(pg_derived[0]); i++) {
		buf_s(&c->b, i > 0 ? ", " : "");
		buf_ident(&c->b, i < NCOPIED ? copied[i] :
		    pg_derived[i - NCOPIED]);
	}
	buf_s(&c->b, " IN SHARE ROW EXCLUSIVE MODE");
	if (buf_str(&c->b) == NULL)
		return fail(c, MJ_ENOMEM, "out of memory");
	if (tgt_run(c, "begin", "BEGIN") != MJ_OK)
		return MJ_EDB;
	if (tgt_run(c, "lock", c->b.p) != MJ_OK) {
		char	 reason[300];

		snprintf(reason, sizeof(reason), "%s", c->why);
		return fail(c, MJ_EDB, "cannot lock the tables of the database "
		    "at %s (%s): is a node running on it? Copy only into a new "
		    "database that no node uses yet", c->where, reason);
	}
	if ((r = tgt_exec(c, "check", SQL_HELD, 0, NULL, PGRES_TUPLES_OK)) ==
	    NULL)
		return MJ_EDB;
	snprintf(held, sizeof(held), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
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
		r = tgt_exec(c, "clear", sql, 0, NULL, PGRES_COMMAND_OK);
		if (r == NULL)
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
	int		 nhave = 0, used[COPY_COLS] = { 0 };
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
			return fail(c, MJ_EINTERNAL, "table %s has more than "
			    "%d columns", t, COPY_COLS);
		}
		snprintf(have[nhave++], sizeof(have[0]), "%s",
		    (const char *)sqlite3_column_text(q, 0));
	}
	sqlite3_finalize(q);
	if (nhave == 0)
		return fail(c, MJ_EDB, "table %s is missing from the SQLite "
		    "store", t);
	if ((r = tgt_exec(c, t, "SELECT column_name, is_identity = 'YES' FROM "
	    "information_schema.columns WHERE table_schema = "
	    "current_schema() AND table_name = $1 ORDER BY ordinal_position",
	    1, v, PGRES_TUPLES_OK)) == NULL)
		return MJ_EDB;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return fail(c, MJ_EDB, "table %s is missing from PostgreSQL's "
		    "schema", t);
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

	for (int i = 0; i < n; i++) {
		buf_s(&c->b, i > 0 ? "\t" : "");
		switch (sqlite3_column_type(q, i)) {
		case SQLITE_NULL:
			buf_s(&c->b, "\\N");
			break;
		case SQLITE_INTEGER:
			snprintf(num, sizeof(num), "%lld",
			    (long long)sqlite3_column_int64(q, i));
			buf_s(&c->b, num);
			break;
		case SQLITE_FLOAT:
			/* 17 digits: the same double on the other side */
			snprintf(num, sizeof(num), "%.17g",
			    sqlite3_column_double(q, i));
			buf_s(&c->b, num);
			break;
		case SQLITE_TEXT:
			buf_text(&c->b, sqlite3_column_text(q, i),
			    (size_t)sqlite3_column_bytes(q, i));
			break;
		default:
			return fail(c, MJ_EDB, "column %s.%s holds a blob, "
			    "which PostgreSQL's text column cannot take", t,
			    cols[i]);
		}
	}
	buf_s(&c->b, "\n");
	if (c->b.oom)
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
			rc = tgt_failed(c, op, r);
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
	struct buf	 sel = { NULL, 0, 0, 0 };
	sqlite3_stmt	*q = NULL;
	PGresult	*r;
	enum mj_err	 rc;
	int64_t		 n = 0;

	if ((rc = columns(c, t, cols, &ncols, &ident)) != MJ_OK)
		return rc;
	/* SELECT "a", "b" FROM "t" [ORDER BY "id"]; COPY "t" ("a", "b") */
	c->b.len = 0;
	buf_s(&sel, "SELECT ");
	buf_s(&c->b, "COPY ");
	buf_ident(&c->b, t);
	buf_s(&c->b, " (");
	for (int i = 0; i < ncols; i++) {
		buf_s(&sel, i > 0 ? ", " : "");
		buf_s(&c->b, i > 0 ? ", " : "");
		buf_ident(&sel, cols[i]);
		buf_ident(&c->b, cols[i]);
	}
	buf_s(&sel, " FROM ");
	buf_ident(&sel, t);
	buf_s(&sel, ident ? " ORDER BY \"id\"" : "");
	buf_s(&c->b, ") FROM STDIN");
	if (buf_str(&sel) == NULL || buf_str(&c->b) == NULL) {
		free(sel.p);
		return fail(c, MJ_ENOMEM, "out of memory");
	}
	if (sqlite3_prepare_v2(c->db, sel.p, -1, &q, NULL) != SQLITE_OK) {
		free(sel.p);
		return sq_failed(c, t);
	}
	free(sel.p);
	if ((r = tgt_exec(c, t, c->b.p, 0, NULL, PGRES_COPY_IN)) == NULL) {
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
		if ((r = tgt_exec(c, "setval", sql, 1, &t, PGRES_TUPLES_OK)) ==
		    NULL)
			return MJ_EDB;
		PQclear(r);
	}
	return MJ_OK;
}

/*
 * Every SQLite table is either copied or rebuilt: one this file does not
 * know (a migration added it) stops the copy instead of being left out.
 */
static enum mj_err
known_tables(struct copy *c)
{
	sqlite3_stmt	*q;
	int		 s;
	enum mj_err	 rc = MJ_OK;

	/* Not the FTS5 tables: virtual, or a virtual one's "NAME_..." */
	if (sqlite3_prepare_v2(c->db, "SELECT name FROM sqlite_master t WHERE "
	    "type = 'table' AND substr(name, 1, 7) != 'sqlite_' AND sql NOT "
	    "LIKE 'CREATE VIRTUAL%' AND NOT EXISTS (SELECT 1 FROM "
	    "sqlite_master v WHERE v.sql LIKE 'CREATE VIRTUAL%' AND "
	    "substr(t.name, 1, length(v.name) + 1) = v.name || '_')", -1, &q,
	    NULL) != SQLITE_OK)
		return sq_failed(c, "tables");
	while (rc == MJ_OK && (s = sqlite3_step(q)) == SQLITE_ROW) {
		const char	*name = (const char *)sqlite3_column_text(q, 0);
		int		 known = 0;

		for (size_t i = 0; i < NCOPIED && !known; i++)
			known = strcmp(name, copied[i]) == 0;
		for (size_t i = 0; i < sizeof(rebuilt) / sizeof(rebuilt[0]) &&
		    !known; i++)
			known = strcmp(name, rebuilt[i]) == 0;
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
		PGresult	*r;
		int64_t		 was = -1, now;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"",
		    copied[k]);
		if (sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) != SQLITE_OK)
			return sq_failed(c, copied[k]);
		if (sqlite3_step(q) == SQLITE_ROW)
			was = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
		if (was < 0)
			return sq_failed(c, copied[k]);
		if ((r = tgt_exec(c, copied[k], sql, 0, NULL,
		    PGRES_TUPLES_OK)) == NULL)
			return MJ_EDB;
		now = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
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
	if ((r = tgt_exec(c, "index_queue", "INSERT INTO index_queue "
	    "(message_id) SELECT id FROM messages ON CONFLICT DO NOTHING", 0,
	    NULL, PGRES_COMMAND_OK)) == NULL)
		return MJ_EDB;
	queued = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	if ((rc = compare(c, &total)) != MJ_OK)
		return rc;
	if ((r = tgt_exec(c, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK)) ==
	    NULL)
		return MJ_EDB;
	if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		PQclear(r);
		return fail(c, MJ_EDB, "commit: PostgreSQL rolled the "
		    "transaction back");
	}
	PQclear(r);
	fprintf(c->out, "index_queue: %lld messages queued; derived data is "
	    "not copied: the help desk's indexer rebuilds conversation "
	    "summaries, search rows and dashboard roll-ups from them on the "
	    "first node that serves\n"
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
	if (pg_url_is(sqlite_path) || stat(sqlite_path, &sb) == -1)
		return fail(&c, MJ_ENOTFOUND, "no SQLite store at %s (db.path)",
		    sqlite_path);
	if (url == NULL || !pg_url_is(url) ||
	    describe(url, c.where, sizeof(c.where)) == -1)
		return fail(&c, MJ_EINPUT, "the target does not read as a "
		    "PostgreSQL URL (postgresql://USER@HOST/DBNAME) or "
		    "conninfo (host=... dbname=...)");
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
	if (rc != MJ_OK && c.pg != NULL &&
	    PQtransactionStatus(c.pg) != PQTRANS_IDLE)
		PQclear(PQexec(c.pg, "ROLLBACK"));	/* else PQfinish's */
	if (c.pg != NULL)
		PQfinish(c.pg);
	free(c.b.p);
	store_close(src);
	return rc;
}
