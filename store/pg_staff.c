/*
 * pg_staff.c - staff.c on PostgreSQL: accounts (one per name whatever its
 * case: the unique index on lower(username)), sessions, login throttling
 * and the audit log.  Where nodes could race, the database decides: a name
 * taken at once by two nodes is one INSERT ... ON CONFLICT DO NOTHING that
 * inserts nothing; the last enabled admin is counted over the admins' rows
 * locked by the change's transaction; a login key's check and the failure
 * it counts hold the key's advisory lock until their transaction ends, and
 * every counter moves in SQL (ON CONFLICT ... DO UPDATE).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store/pg_int.h"
#include "store/pg_staff.h"
#include "store/store_int.h"

/* A bad role or a missing value inserts nothing, as a taken name does. */
static const char SQL_STAFF_ADD[] =
    "INSERT INTO staff (username, role, pw_hash, created_at) "
    "SELECT $1::text, $2::text, $3::text, $4::bigint WHERE $1 IS NOT NULL "
    "AND $3 IS NOT NULL AND $2 IN ('agent', 'supervisor', 'admin') "
    "ON CONFLICT DO NOTHING RETURNING id";

static const char SQL_STAFF_GET[] =
    "SELECT id, username, role, disabled, pw_hash FROM staff "
    "WHERE lower(username) = lower($1)";

/* NO KEY UPDATE: rows that sessions, notes and labels refer to. */
static const char SQL_STAFF_LOCK_ADMINS[] =
    "SELECT count(*) FROM (SELECT id FROM staff WHERE role = 'admin' AND "
    "disabled = 0 ORDER BY id FOR NO KEY UPDATE) a";

static const char SQL_STAFF_SET[] =
    "UPDATE staff SET disabled = coalesce($2::integer, disabled), "
    "pw_hash = coalesce($3::text, pw_hash), role = coalesce($4::text, role) "
    "WHERE lower(username) = lower($1) RETURNING id";

static const char SQL_STAFF_END[] =
    "DELETE FROM sessions WHERE staff_id = $1";

static const char SQL_STAFF_LIST[] =
    "SELECT s.id, s.username, s.role, s.disabled, s.created_at, "
    "(SELECT max(at) FROM audit a WHERE a.staff_id = s.id AND "
    "a.action = 'login'), (SELECT count(*) FROM sessions x WHERE "
    "x.staff_id = s.id AND x.expires_at > $1) FROM staff s "
    "ORDER BY lower(s.username) COLLATE \"C\", s.id";

static const char SQL_SESSION_ADD[] =
    "INSERT INTO sessions (token_hash, staff_id, csrf, created_at, "
    "expires_at) VALUES ($1, $2, $3, $4, $5)";

static const char SQL_SESSION_GET[] =
    "SELECT s.id, s.username, s.role, s.disabled, x.csrf FROM sessions x "
    "JOIN staff s ON s.id = x.staff_id WHERE x.token_hash = $1 AND "
    "x.expires_at > $2 AND s.disabled = 0";

static const char SQL_SESSION_DEL[] =
    "DELETE FROM sessions WHERE token_hash = $1";

static const char SQL_SESSION_GC[] =
    "DELETE FROM sessions WHERE expires_at <= $1";

/* The key's lock: hashtext() of a name of its own, beside other locks. */
static const char SQL_FAIL_LOCK[] =
    "SELECT pg_advisory_xact_lock(hashtext('murojaat.login'), hashtext($1))";

static const char SQL_FAIL_GET[] =
    "SELECT failures, window_start FROM login_failures WHERE key = $1";

static const char SQL_FAIL_ADD[] =
    "INSERT INTO login_failures AS f (key, failures, window_start) "
    "VALUES ($1, 1, $2::bigint) ON CONFLICT (key) DO UPDATE SET "
    "failures = CASE WHEN f.window_start + $3::bigint <= $2::bigint THEN 1 "
    "ELSE f.failures + 1 END, window_start = CASE WHEN "
    "f.window_start + $3::bigint <= $2::bigint THEN $2::bigint "
    "ELSE f.window_start END";

static const char SQL_FAIL_LAST[] =
    "INSERT INTO login_failures AS f (key, failures, window_start) "
    "VALUES ($1, 1, $2::bigint) ON CONFLICT (key) DO UPDATE SET "
    "failures = f.failures + 1, window_start = $2::bigint";

static const char SQL_FAIL_MARK[] =
    "UPDATE login_failures SET window_start = greatest(window_start, "
    "$2::bigint) WHERE key = $1";

static const char SQL_FAIL_UNDO[] =
    "UPDATE login_failures SET failures = greatest(failures - 1, 0) "
    "WHERE key = $1";

static const char SQL_FAIL_CLEAR[] =
    "DELETE FROM login_failures WHERE key = $1";

static const char SQL_AUDIT_ADD[] =
    "INSERT INTO audit (at, staff_id, username, action, contact_id, "
    "detail, req, ip) VALUES ($1, nullif($2::bigint, 0), $3, $4, "
    "nullif($5::bigint, 0), $6, $7, $8)";

static const char SQL_AUDIT_LIST[] =
    "SELECT id, at, coalesce(staff_id, 0), username, action, "
    "coalesce(contact_id, 0), detail, req, ip FROM audit "
    "WHERE id < $1 AND at >= $3 AND at < $4 ORDER BY id DESC LIMIT $2";

static const char SQL_AUDIT_LIST_C[] =
    "SELECT id, at, coalesce(staff_id, 0), username, action, "
    "coalesce(contact_id, 0), detail, req, ip FROM audit "
    "WHERE contact_id = $5 AND id < $1 AND at >= $3 AND at < $4 "
    "ORDER BY id DESC LIMIT $2";

enum mj_err
pg_staff_add(struct store *st, const char *username, const char *role,
    const char *pw_hash, int64_t now)
{
	struct pgq	p;
	int64_t		id;
	enum mj_err	rc;

	pgq_init(&p);
	pgq_str(&p, username);
	pgq_str(&p, role);
	pgq_str(&p, pw_hash);
	pgq_int(&p, now);
	rc = pg_one_int(st, "staff_add", SQL_STAFF_ADD, &p, &id);
	return rc == MJ_ENOTFOUND ? MJ_EINPUT : rc;
}

static void
staff_row(const PGresult *r, int i, struct hd_staff *out)
{
	memset(out, 0, sizeof(*out));
	out->id = pg_int(r, i, 0);
	pg_copy(r, i, 1, out->username, sizeof(out->username));
	pg_copy(r, i, 2, out->role, sizeof(out->role));
	out->disabled = (int)pg_int(r, i, 3);
}

/*
 * Under the lock, the staff member of sql's first row into *out and its
 * fifth column into buf: MJ_OK, MJ_ENOTFOUND (no row) or MJ_EDB.
 */
static enum mj_err
staff_and(struct store *st, const char *op, const char *sql,
    const struct pgq *p, struct hd_staff *out, char *buf, size_t len)
{
	PGresult	*r;
	enum mj_err	 rc = MJ_ENOTFOUND;

	pg_lock(st);
	if ((r = pg_exec(st, op, sql, p)) == NULL)
		rc = MJ_EDB;
	else if (PQntuples(r) > 0) {
		staff_row(r, 0, out);
		pg_copy(r, 0, 4, buf, len);
		rc = MJ_OK;
	}
	PQclear(r);
	pg_unlock(st);
	return rc;
}

enum mj_err
pg_staff_get(struct store *st, const char *username, struct hd_staff *out,
    char *hash, size_t hashlen)
{
	struct pgq	p;

	pgq_init(&p);
	pgq_str(&p, username);
	return staff_and(st, "staff_get", SQL_STAFF_GET, &p, out, hash,
	    hashlen);
}

enum mj_err
pg_staff_set(struct store *st, const char *username, int disabled,
    const char *pw_hash, const char *role, int end_sessions)
{
	struct pgq	p;
	enum mj_err	rc;
	int64_t		id = 0, n;

	if ((disabled == 1 || role != NULL) &&
	    pg_one_int(st, "staff_lock", SQL_STAFF_LOCK_ADMINS, NULL, &n) !=
	    MJ_OK)
		return MJ_EDB;
	pgq_init(&p);
	pgq_str(&p, username);
	if (disabled >= 0)
		pgq_int(&p, disabled);
	else
		pgq_null(&p);
	pgq_str(&p, pw_hash);
	pgq_str(&p, role);
	if ((rc = pg_one_int(st, "staff_set", SQL_STAFF_SET, &p, &id)) !=
	    MJ_OK || !end_sessions)
		return rc;
	pgq_init(&p);
	pgq_int(&p, id);
	return pg_do(st, "staff_end", SQL_STAFF_END, &p);
}

enum mj_err
pg_staff_admins(struct store *st, int64_t *n)
{
	*n = 0;
	return pg_one_int(st, "staff_admins", SQL_STAFF_LOCK_ADMINS, NULL, n);
}

enum mj_err
pg_staff_list(struct store *st, int64_t now,
    int (*fn)(void *, const struct hd_staff *), void *arg)
{
	struct pgq	 p;
	PGresult	*r;
	enum mj_err	 rc = MJ_OK;

	pgq_init(&p);
	pgq_int(&p, now);
	pg_lock(st);
	if ((r = pg_exec(st, "staff_list", SQL_STAFF_LIST, &p)) == NULL)
		rc = MJ_EDB;
	for (int i = 0; r != NULL && i < PQntuples(r); i++) {
		struct hd_staff	sf;

		staff_row(r, i, &sf);
		sf.created_at = pg_int(r, i, 4);
		sf.last_login = pg_int(r, i, 5);
		sf.sessions = (int)pg_int(r, i, 6);
		if (fn(arg, &sf) != 0)
			break;
	}
	PQclear(r);
	pg_unlock(st);
	return rc;
}

enum mj_err
pg_session_add(struct store *st, const char *token_hash, int64_t staff_id,
    const char *csrf, int64_t now, int64_t expires_at)
{
	struct pgq	p;

	pgq_init(&p);
	pgq_str(&p, token_hash);
	pgq_int(&p, staff_id);
	pgq_str(&p, csrf);
	pgq_int(&p, now);
	pgq_int(&p, expires_at);
	return pg_do(st, "session_add", SQL_SESSION_ADD, &p);
}

enum mj_err
pg_session_get(struct store *st, const char *token_hash, int64_t now,
    struct hd_staff *out, char *csrf, size_t csrflen)
{
	struct pgq	p;

	pgq_init(&p);
	pgq_str(&p, token_hash);
	pgq_int(&p, now);
	return staff_and(st, "session_get", SQL_SESSION_GET, &p, out, csrf,
	    csrflen);
}

enum mj_err
pg_session_del(struct store *st, const char *token_hash, int64_t now)
{
	struct pgq	p;
	enum mj_err	rc;

	pgq_init(&p);
	pgq_str(&p, token_hash);
	if ((rc = pg_do(st, "session_del", SQL_SESSION_DEL, &p)) != MJ_OK)
		return rc;
	pgq_init(&p);
	pgq_int(&p, now);
	return pg_do(st, "session_gc", SQL_SESSION_GC, &p);
}

enum mj_err
pg_login_failures(struct store *st, const char *key, int64_t now,
    int window_s, int *failures, int64_t *window_start)
{
	struct pgq	 p;
	PGresult	*r;

	*failures = 0;
	*window_start = now;
	pgq_init(&p);
	pgq_str(&p, key);
	/* Locked first, read after: the read's snapshot follows the wait. */
	if (pg_do(st, "login_lock", SQL_FAIL_LOCK, &p) != MJ_OK ||
	    (r = pg_exec(st, "login_failures", SQL_FAIL_GET, &p)) == NULL)
		return MJ_EDB;
	if (PQntuples(r) > 0 && pg_int(r, 0, 1) + window_s > now) {
		*failures = (int)pg_int(r, 0, 0);
		*window_start = pg_int(r, 0, 1);
	}
	PQclear(r);
	return MJ_OK;
}

enum mj_err
pg_login_failed(struct store *st, const char *key, int64_t now,
    int window_s)
{
	struct pgq	p;

	pgq_init(&p);
	pgq_str(&p, key);
	pgq_int(&p, now);
	pgq_int(&p, window_s);
	return pg_do(st, "login_failed", SQL_FAIL_ADD, &p);
}

/* A statement of a key and a time. */
static enum mj_err
key_at(struct store *st, const char *op, const char *sql, const char *key,
    int64_t now)
{
	struct pgq	p;

	pgq_init(&p);
	pgq_str(&p, key);
	pgq_int(&p, now);
	return pg_do(st, op, sql, &p);
}

enum mj_err
pg_login_last(struct store *st, const char *key, int64_t now)
{
	return key_at(st, "login_last", SQL_FAIL_LAST, key, now);
}

enum mj_err
pg_login_mark(struct store *st, const char *key, int64_t now)
{
	return key_at(st, "login_mark", SQL_FAIL_MARK, key, now);
}

enum mj_err
pg_login_undo(struct store *st, const char *key)
{
	struct pgq	p;

	pgq_init(&p);
	pgq_str(&p, key);
	return pg_do(st, "login_undo", SQL_FAIL_UNDO, &p);
}

enum mj_err
pg_login_clear(struct store *st, const char *key)
{
	struct pgq	p;

	pgq_init(&p);
	pgq_str(&p, key);
	return pg_do(st, "login_clear", SQL_FAIL_CLEAR, &p);
}

enum mj_err
pg_audit_add(struct store *st, const struct hd_audit *a)
{
	struct pgq	p;

	pgq_init(&p);
	pgq_int(&p, a->at);
	pgq_int(&p, a->staff_id);
	pgq_str(&p, a->username != NULL ? a->username : "");
	pgq_str(&p, a->action);
	pgq_int(&p, a->contact_id);
	pgq_str(&p, a->detail != NULL ? a->detail : "");
	pgq_str(&p, a->req != NULL ? a->req : "");
	pgq_str(&p, a->ip != NULL ? a->ip : "");
	return pg_do(st, "audit_add", SQL_AUDIT_ADD, &p);
}

enum mj_err
pg_audit_range(struct store *st, int64_t contact_id, int64_t before_id,
    int64_t from, int64_t to, int limit,
    int (*fn)(void *, const struct hd_audit *), void *arg)
{
	struct pgq	 p;
	PGresult	*r;
	enum mj_err	 rc = MJ_OK;

	pgq_init(&p);
	pgq_int(&p, before_id > 0 ? before_id : INT64_MAX);
	pgq_int(&p, limit);
	pgq_int(&p, from);
	pgq_int(&p, to > 0 ? to : INT64_MAX);
	if (contact_id > 0)
		pgq_int(&p, contact_id);
	st = store_reader(st);
	pg_lock(st);
	if ((r = pg_exec(st, "audit_list", contact_id > 0 ? SQL_AUDIT_LIST_C :
	    SQL_AUDIT_LIST, &p)) == NULL)
		rc = MJ_EDB;
	for (int i = 0; r != NULL && i < PQntuples(r); i++) {
		struct hd_audit	a = {
			.id = pg_int(r, i, 0), .at = pg_int(r, i, 1),
			.staff_id = pg_int(r, i, 2),
			.username = pg_str(r, i, 3), .action = pg_str(r, i, 4),
			.contact_id = pg_int(r, i, 5),
			.detail = pg_str(r, i, 6), .req = pg_str(r, i, 7),
			.ip = pg_str(r, i, 8) };

		if (fn(arg, &a) != 0)
			break;
	}
	PQclear(r);
	pg_unlock(st);
	return rc;
}
