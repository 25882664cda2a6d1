/*
 * staff.c - the help desk's people: staff accounts (the password hash, never
 * the password), their sessions, login throttling and the audit log.
 * Statements come from the store's cache; every value is a bound parameter.
 * A store on PostgreSQL is served by pg_staff.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store/helpdesk.h"
#include "store/pg_staff.h"
#include "store/store_int.h"

static const char SQL_STAFF_ADD[] =
    "INSERT INTO staff (username, role, pw_hash, "
    "created_at) VALUES (?1, ?2, ?3, ?4)";

static const char SQL_STAFF_GET[] =
    "SELECT id, username, role, disabled, pw_hash "
    "FROM staff WHERE username = ?1";

static const char SQL_STAFF_SET[] =
    "UPDATE staff SET disabled = coalesce(?2, disabled), "
    "pw_hash = coalesce(?3, pw_hash), role = coalesce(?4, role) "
    "WHERE username = ?1 RETURNING id";

static const char SQL_STAFF_END[] =
    "DELETE FROM sessions WHERE staff_id = ?1";

static const char SQL_STAFF_ADMINS[] =
    "SELECT count(*) FROM staff WHERE role = 'admin' AND disabled = 0";

static const char SQL_STAFF_LIST[] =
    "SELECT s.id, s.username, s.role, s.disabled, "
    "s.created_at, (SELECT max(at) FROM audit a WHERE a.staff_id = "
    "s.id AND a.action = 'login'), (SELECT count(*) FROM sessions x "
    "WHERE x.staff_id = s.id AND x.expires_at > ?1) FROM staff s "
    "ORDER BY s.username";

static const char SQL_SESSION_ADD[] =
    "INSERT INTO sessions (token_hash, staff_id, csrf, "
    "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)";

static const char SQL_SESSION_GET[] =
    "SELECT s.id, s.username, s.role, s.disabled, "
    "x.csrf FROM sessions x JOIN staff s ON s.id = x.staff_id "
    "WHERE x.token_hash = ?1 AND x.expires_at > ?2 AND s.disabled = 0";

static const char SQL_SESSION_DEL[] =
    "DELETE FROM sessions WHERE token_hash = ?1";

static const char SQL_SESSION_GC[] =
    "DELETE FROM sessions WHERE expires_at <= ?1";

static const char SQL_FAIL_GET[] =
    "SELECT failures, window_start FROM login_failures "
    "WHERE key = ?1";

static const char SQL_FAIL_ADD[] =
    "INSERT INTO login_failures (key, failures, "
    "window_start) VALUES (?1, 1, ?2) ON CONFLICT (key) DO UPDATE SET "
    "failures = CASE WHEN window_start + ?3 <= ?2 THEN 1 "
    "ELSE failures + 1 END, window_start = CASE WHEN "
    "window_start + ?3 <= ?2 THEN ?2 ELSE window_start END";

static const char SQL_FAIL_LAST[] =
    "INSERT INTO login_failures (key, failures, "
    "window_start) VALUES (?1, 1, ?2) ON CONFLICT (key) DO UPDATE SET "
    "failures = failures + 1, window_start = ?2";

static const char SQL_FAIL_MARK[] =
    "UPDATE login_failures SET window_start = max(window_start, ?2) "
    "WHERE key = ?1";

static const char SQL_FAIL_UNDO[] =
    "UPDATE login_failures SET failures = max(failures - 1, 0) "
    "WHERE key = ?1";

static const char SQL_FAIL_CLEAR[] =
    "DELETE FROM login_failures WHERE key = ?1";

static const char SQL_AUDIT_ADD[] =
    "INSERT INTO audit (at, staff_id, username, action, "
    "contact_id, detail, req, ip) VALUES (?1, nullif(?2, 0), ?3, ?4, "
    "nullif(?5, 0), ?6, ?7, ?8)";

static const char SQL_AUDIT_LIST[] =
    "SELECT id, at, coalesce(staff_id, 0), username, "
    "action, coalesce(contact_id, 0), detail, req, ip FROM audit "
    "WHERE id < ?1 AND at >= ?4 AND at < ?5 ORDER BY id DESC LIMIT ?2";

static const char SQL_AUDIT_LIST_C[] =
    "SELECT id, at, coalesce(staff_id, 0), username, "
    "action, coalesce(contact_id, 0), detail, req, ip FROM audit "
    "WHERE contact_id = ?3 AND id < ?1 AND at >= ?4 AND at < ?5 "
    "ORDER BY id DESC LIMIT ?2";

enum mj_err
store_staff_add(struct store *st, const char *username, const char *role,
    const char *pw_hash, int64_t now)
{
	sqlite3_stmt	*q;
	int		 rc;

	if (st->pg != NULL)
		return pg_staff_add(st, username, role, pw_hash, now);

	PREP(q, SQL_STAFF_ADD);
	bind_str(q, 1, username);
	bind_str(q, 2, role);
	bind_str(q, 3, pw_hash);
	sqlite3_bind_int64(q, 4, now);
	rc = sqlite3_step(q);
	done(q);
	if (rc == SQLITE_CONSTRAINT)
		return MJ_EINPUT;
	if (rc != SQLITE_DONE)
		return db_fail(st, "staff_add");
	return MJ_OK;
}

static void
staff_row(sqlite3_stmt *q, struct hd_staff *out)
{
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(q, 0);
	col_copy(q, 1, out->username, sizeof(out->username));
	col_copy(q, 2, out->role, sizeof(out->role));
	out->disabled = sqlite3_column_int(q, 3);
}

enum mj_err
store_staff_get(struct store *st, const char *username, struct hd_staff *out,
    char *hash, size_t hashlen)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_ENOTFOUND;

	if (st->pg != NULL)
		return pg_staff_get(st, username, out, hash, hashlen);

	if ((q = lock_stmt(st, SQL_STAFF_GET)) == NULL)
		return MJ_EDB;
	bind_str(q, 1, username);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		staff_row(q, out);
		col_copy(q, 4, hash, hashlen);
		rc = MJ_OK;
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = db_fail(st, "staff_get");
	}
	done(q);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum mj_err
store_staff_set(struct store *st, const char *username, int disabled,
    const char *pw_hash, const char *role, int end_sessions)
{
	sqlite3_stmt	*q, *e;
	enum mj_err	 rc;
	int64_t		 id = 0;

	if (st->pg != NULL)
		return pg_staff_set(st, username, disabled, pw_hash, role,
		    end_sessions);

	PREP(q, SQL_STAFF_SET);
	PREP(e, SQL_STAFF_END);
	bind_str(q, 1, username);
	if (disabled >= 0)
		sqlite3_bind_int(q, 2, disabled);
	bind_str(q, 3, pw_hash);
	bind_str(q, 4, role);
	rc = step_int64(st, q, &id, "staff_set");
	done(q);
	if (rc != MJ_OK || !end_sessions)
		return rc;
	sqlite3_bind_int64(e, 1, id);
	if (sqlite3_step(e) != SQLITE_DONE)
		rc = db_fail(st, "staff_end");
	done(e);
	return rc;
}

enum mj_err
store_staff_admins(struct store *st, int64_t *n)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_staff_admins(st, n);

	*n = 0;
	PREP(q, SQL_STAFF_ADMINS);
	rc = step_int64(st, q, n, "staff_admins");
	done(q);
	return rc;
}

enum mj_err
store_staff_list(struct store *st, int64_t now,
    int (*fn)(void *, const struct hd_staff *), void *arg)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_OK;
	int		 step;

	if (st->pg != NULL)
		return pg_staff_list(st, now, fn, arg);

	if ((q = lock_stmt(st, SQL_STAFF_LIST)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, now);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		struct hd_staff	sf;

		staff_row(q, &sf);
		sf.created_at = sqlite3_column_int64(q, 4);
		sf.last_login = sqlite3_column_int64(q, 5);
		sf.sessions = sqlite3_column_int(q, 6);
		if (fn(arg, &sf) != 0)
			break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = db_fail(st, "staff_list");
	done(q);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum mj_err
store_session_add(struct store *st, const char *token_hash, int64_t staff_id,
    const char *csrf, int64_t now, int64_t expires_at)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_session_add(st, token_hash, staff_id, csrf, now,
		    expires_at);

	PREP(q, SQL_SESSION_ADD);
	bind_str(q, 1, token_hash);
	sqlite3_bind_int64(q, 2, staff_id);
	bind_str(q, 3, csrf);
	sqlite3_bind_int64(q, 4, now);
	sqlite3_bind_int64(q, 5, expires_at);
	return step_done(st, q, "session_add");
}

enum mj_err
store_session_get(struct store *st, const char *token_hash, int64_t now,
    struct hd_staff *out, char *csrf, size_t csrflen)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_ENOTFOUND;

	if (st->pg != NULL)
		return pg_session_get(st, token_hash, now, out, csrf,
		    csrflen);

	if ((q = lock_stmt(st, SQL_SESSION_GET)) == NULL)
		return MJ_EDB;
	bind_str(q, 1, token_hash);
	sqlite3_bind_int64(q, 2, now);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		staff_row(q, out);
		col_copy(q, 4, csrf, csrflen);
		rc = MJ_OK;
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = db_fail(st, "session_get");
	}
	done(q);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum mj_err
store_session_del(struct store *st, const char *token_hash, int64_t now)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_session_del(st, token_hash, now);

	PREP(q, SQL_SESSION_DEL);
	bind_str(q, 1, token_hash);
	if ((rc = step_done(st, q, "session_del")) != MJ_OK)
		return rc;
	PREP(q, SQL_SESSION_GC);
	sqlite3_bind_int64(q, 1, now);
	return step_done(st, q, "session_gc");
}

enum mj_err
store_login_failures(struct store *st, const char *key, int64_t now,
    int window_s, int *failures, int64_t *window_start)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_OK;

	if (st->pg != NULL)
		return pg_login_failures(st, key, now, window_s, failures,
		    window_start);

	*failures = 0;
	*window_start = now;
	PREP(q, SQL_FAIL_GET);
	bind_str(q, 1, key);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		if (sqlite3_column_int64(q, 1) + window_s > now) {
			*failures = sqlite3_column_int(q, 0);
			*window_start = sqlite3_column_int64(q, 1);
		}
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = db_fail(st, "login_failures");
	}
	done(q);
	return rc;
}

enum mj_err
store_login_failed(struct store *st, const char *key, int64_t now,
    int window_s)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_login_failed(st, key, now, window_s);

	PREP(q, SQL_FAIL_ADD);
	bind_str(q, 1, key);
	sqlite3_bind_int64(q, 2, now);
	sqlite3_bind_int(q, 3, window_s);
	return step_done(st, q, "login_failed");
}

enum mj_err
store_login_last(struct store *st, const char *key, int64_t now)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_login_last(st, key, now);

	PREP(q, SQL_FAIL_LAST);
	bind_str(q, 1, key);
	sqlite3_bind_int64(q, 2, now);
	return step_done(st, q, "login_last");
}

enum mj_err
store_login_mark(struct store *st, const char *key, int64_t now)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_login_mark(st, key, now);

	PREP(q, SQL_FAIL_MARK);
	bind_str(q, 1, key);
	sqlite3_bind_int64(q, 2, now);
	return step_done(st, q, "login_mark");
}

enum mj_err
store_login_undo(struct store *st, const char *key)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_login_undo(st, key);

	PREP(q, SQL_FAIL_UNDO);
	bind_str(q, 1, key);
	return step_done(st, q, "login_undo");
}

enum mj_err
store_login_clear(struct store *st, const char *key)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_login_clear(st, key);

	PREP(q, SQL_FAIL_CLEAR);
	bind_str(q, 1, key);
	return step_done(st, q, "login_clear");
}

enum mj_err
store_audit_add(struct store *st, const struct hd_audit *a)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_audit_add(st, a);

	PREP(q, SQL_AUDIT_ADD);
	sqlite3_bind_int64(q, 1, a->at);
	sqlite3_bind_int64(q, 2, a->staff_id);
	bind_str(q, 3, a->username != NULL ? a->username : "");
	bind_str(q, 4, a->action);
	sqlite3_bind_int64(q, 5, a->contact_id);
	bind_str(q, 6, a->detail != NULL ? a->detail : "");
	bind_str(q, 7, a->req != NULL ? a->req : "");
	bind_str(q, 8, a->ip != NULL ? a->ip : "");
	return step_done(st, q, "audit_add");
}

static int
audit_row(sqlite3_stmt *q, void *p)
{
	struct row_cb	*c = p;
	struct hd_audit	 a = {
		.id = sqlite3_column_int64(q, 0),
		.at = sqlite3_column_int64(q, 1),
		.staff_id = sqlite3_column_int64(q, 2),
		.username = col_text(q, 3), .action = col_text(q, 4),
		.contact_id = sqlite3_column_int64(q, 5),
		.detail = col_text(q, 6), .req = col_text(q, 7),
		.ip = col_text(q, 8) };

	return ((int (*)(void *, const struct hd_audit *))c->fn)(c->arg, &a);
}

enum mj_err
store_audit_list(struct store *st, int64_t contact_id, int64_t before_id,
    int limit, int (*fn)(void *, const struct hd_audit *), void *arg)
{
	return store_audit_range(st, contact_id, before_id, 0, 0, limit, fn,
	    arg);
}

enum mj_err
store_audit_range(struct store *st, int64_t contact_id, int64_t before_id,
    int64_t from, int64_t to, int limit,
    int (*fn)(void *, const struct hd_audit *), void *arg)
{
	sqlite3_stmt	*q;
	struct row_cb	 c = { (void (*)(void))fn, arg };
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_audit_range(st, contact_id, before_id, from, to,
		    limit, fn, arg);

	st = store_reader(st);
	if ((q = lock_stmt(st, contact_id > 0 ? SQL_AUDIT_LIST_C :
	    SQL_AUDIT_LIST)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, before_id > 0 ? before_id : INT64_MAX);
	sqlite3_bind_int(q, 2, limit);
	if (contact_id > 0)
		sqlite3_bind_int64(q, 3, contact_id);
	sqlite3_bind_int64(q, 4, from);
	sqlite3_bind_int64(q, 5, to > 0 ? to : INT64_MAX);
	rc = step_each(st, q, "audit_list", audit_row, &c);
	pthread_mutex_unlock(&st->lock);
	return rc;
}
