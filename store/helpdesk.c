/*
 * helpdesk.c - the SQLite side of helpdesk.h: staff, sessions, login
 * throttling, the audit log, the inbox, one conversation, the dashboard and
 * teaching.  Statements come from the store's cache (store_stmt()); the
 * inbox query is built from a fixed set of fragments chosen by which
 * filters are present (so each shape can use its own index), and each
 * shape is a statement of the cache like any other.  Every value is a
 * bound parameter.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "store/helpdesk.h"
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

static const char SQL_FAIL_CLEAR[] =
    "DELETE FROM login_failures WHERE key = ?1";

static const char SQL_AUDIT_ADD[] =
    "INSERT INTO audit (at, staff_id, username, action, "
    "contact_id, detail, req, ip) VALUES (?1, nullif(?2, 0), ?3, ?4, "
    "nullif(?5, 0), ?6, ?7, ?8)";

static const char SQL_AUDIT_LIST[] =
    "SELECT id, at, coalesce(staff_id, 0), username, "
    "action, coalesce(contact_id, 0), detail, req, ip FROM audit "
    "WHERE id < ?1 ORDER BY id DESC LIMIT ?2";

static const char SQL_AUDIT_LIST_C[] =
    "SELECT id, at, coalesce(staff_id, 0), username, "
    "action, coalesce(contact_id, 0), detail, req, ip FROM audit "
    "WHERE contact_id = ?3 AND id < ?1 ORDER BY id DESC LIMIT ?2";

enum mj_err
store_staff_add(struct store *st, const char *username, const char *role,
    const char *pw_hash, int64_t now)
{
	sqlite3_stmt	*q;
	int		 rc;

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
store_staff_list(struct store *st, int64_t now,
    int (*fn)(void *, const struct hd_staff *), void *arg)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_OK;
	int		 step;

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

	PREP(q, SQL_FAIL_ADD);
	bind_str(q, 1, key);
	sqlite3_bind_int64(q, 2, now);
	sqlite3_bind_int(q, 3, window_s);
	return step_done(st, q, "login_failed");
}

enum mj_err
store_login_clear(struct store *st, const char *key)
{
	sqlite3_stmt	*q;

	PREP(q, SQL_FAIL_CLEAR);
	bind_str(q, 1, key);
	return step_done(st, q, "login_clear");
}

enum mj_err
store_audit_add(struct store *st, const struct hd_audit *a)
{
	sqlite3_stmt	*q;

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
	sqlite3_stmt	*q;
	struct row_cb	 c = { (void (*)(void))fn, arg };
	enum mj_err	 rc;

	if ((q = lock_stmt(st, contact_id > 0 ? SQL_AUDIT_LIST_C :
	    SQL_AUDIT_LIST)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, before_id > 0 ? before_id : INT64_MAX);
	sqlite3_bind_int(q, 2, limit);
	if (contact_id > 0)
		sqlite3_bind_int64(q, 3, contact_id);
	rc = step_each(st, q, "audit_list", audit_row, &c);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static const char SQL_HEAD[] =
    "SELECT k.id, k.channel, k.address, coalesce(k.phone, ''), "
    "k.lang, k.opted_out, coalesce(k.held_by, ''), k.held_until, "
    "coalesce(c.status, 'open'), coalesce(c.needs_human, 0), "
    "coalesce(c.last_at, k.created_at), coalesce(c.resolved_at, 0), "
    "coalesce(c.resolved_by, '') FROM contacts k LEFT JOIN "
    "conversations c ON c.contact_id = k.id WHERE k.id = ?1";

static const char SQL_MSGS[] =
    "SELECT * FROM (SELECT m.id, m.direction, m.channel, "
    "m.body, coalesce(m.lang, ''), coalesce(m.intent, ''), m.delivery, "
    "coalesce(m.encoding, ''), coalesce(o.last_error, ''), "
    "coalesce(m.segments, 0), m.created_at, coalesce(m.nlu_source, ''), "
    "coalesce(m.nlu_prob, 0), m.review, coalesce(l.intent, ''), "
    "coalesce(s.username, ''), coalesce(l.labelled_at, 0) "
    "FROM messages m LEFT JOIN outbox o ON o.message_id = m.id "
    "LEFT JOIN message_labels l ON l.message_id = m.id "
    "LEFT JOIN staff s ON s.id = l.staff_id "
    "WHERE m.contact_id = ?1 AND m.id < ?2 ORDER BY m.id DESC "
    "LIMIT ?3) ORDER BY 1";

static const char SQL_APPS[] =
    "SELECT number, programme, status, applicant_phone, "
    "pinfl_last4, submitted_on, coalesce(decided_on, ''), "
    "coalesce(payment_on, '') FROM applications "
    "WHERE applicant_phone = ?1 ORDER BY submitted_on DESC, id DESC "
    "LIMIT 50";

static const char SQL_NOTES[] =
    "SELECT n.id, s.username, n.body, n.created_at FROM notes n "
    "JOIN staff s ON s.id = n.staff_id WHERE n.contact_id = ?1 "
    "ORDER BY n.id";

static const char SQL_LABELS[] =
    "SELECT label FROM labels WHERE contact_id = ?1 "
    "ORDER BY label";

static const char SQL_NOTE_ADD[] =
    "INSERT INTO notes (contact_id, staff_id, body, "
    "created_at) VALUES (?1, ?2, ?3, ?4)";

static const char SQL_LABELS_DEL[] =
    "DELETE FROM labels WHERE contact_id = ?1";

static const char SQL_LABEL_ADD[] =
    "INSERT OR IGNORE INTO labels (contact_id, label) "
    "VALUES (?1, ?2)";

static const char SQL_HOLDER[] =
    "SELECT coalesce(held_by, ''), held_until FROM contacts "
    "WHERE id = ?1";

static const char SQL_HOLD[] =
    "UPDATE contacts SET held_by = nullif(?2, ''), "
    "held_until = ?3, updated_at = ?4 WHERE id = ?1";

static const char SQL_RESOLVE[] =
    "UPDATE conversations SET status = CASE ?2 WHEN 1 THEN "
    "'resolved' ELSE 'open' END, needs_human = CASE ?2 WHEN 1 THEN 0 "
    "ELSE needs_human END, unknown_streak = CASE ?2 WHEN 1 THEN 0 "
    "ELSE unknown_streak END, resolved_at = CASE ?2 WHEN 1 THEN ?3 "
    "END, resolved_by = CASE ?2 WHEN 1 THEN ?4 END "
    "WHERE contact_id = ?1";

/* Whether it counts in its summary: indexed, for review, unlabelled. */
static const char SQL_TEACH_GET[] =
    "SELECT m.contact_id, m.direction, m.review AND m.id <= "
    "coalesce((SELECT last_id FROM index_state WHERE name = "
    "'messages'), 0), coalesce(l.intent, '') FROM messages m "
    "LEFT JOIN message_labels l ON l.message_id = m.id WHERE m.id = ?1";

static const char SQL_TEACH_SET[] =
    "INSERT INTO message_labels (message_id, intent, "
    "staff_id, labelled_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT "
    "(message_id) DO UPDATE SET intent = ?2, staff_id = ?3, "
    "labelled_at = ?4";

static const char SQL_TEACH_RECOUNT[] =
    "UPDATE conversations SET review = max(review - 1, "
    "0) WHERE contact_id = ?1";

static const char SQL_TEACH_LIST[] =
    "SELECT m.id, m.body, coalesce(m.lang, ''), l.intent "
    "FROM message_labels l JOIN messages m ON m.id = l.message_id "
    "WHERE m.direction = 'in' ORDER BY l.message_id";

/* Inbox shapes: one bit per filter present. */
enum {
	F_HUMAN = 1 << 0, F_UNKNOWN = 1 << 1, F_CHANNEL = 1 << 2,
	F_LANG = 1 << 3, F_OPEN = 1 << 4, F_HELD = 1 << 5,
	F_RESOLVED = 1 << 6, F_FROM = 1 << 7, F_TO = 1 << 8,
	F_CURSOR = 1 << 9, F_SEARCH = 1 << 10, F_REVIEW = 1 << 11
};

/* The SQL of one inbox shape into buf. */
static void
inbox_sql(unsigned shape, char *buf, size_t len)
{
	size_t	n;

	if (shape & F_SEARCH)
		n = (size_t)snprintf(buf, len, "SELECT c.contact_id, c.channel, "
		    "k.address, coalesce(k.phone, ''), c.lang, c.snippet, "
		    "c.last_in_intent, c.status, coalesce(k.held_by, ''), "
		    "c.last_at, k.held_until, c.last_msg_id, c.msgs, "
		    "c.needs_human, m.id, substr(m.body, 1, 200), c.review "
		    "FROM messages_fts f JOIN messages m ON m.id = f.rowid "
		    "JOIN conversations c ON c.contact_id = m.contact_id "
		    "JOIN contacts k ON k.id = c.contact_id "
		    "WHERE messages_fts MATCH ?9");
	else
		n = (size_t)snprintf(buf, len, "SELECT c.contact_id, c.channel, "
		    "k.address, coalesce(k.phone, ''), c.lang, c.snippet, "
		    "c.last_in_intent, c.status, coalesce(k.held_by, ''), "
		    "c.last_at, k.held_until, c.last_msg_id, c.msgs, "
		    "c.needs_human, 0, '', c.review FROM conversations c "
		    "JOIN contacts k ON k.id = c.contact_id WHERE 1");
#define ADD(bit, frag) \
	if ((shape & (bit)) && n < len) \
		n += (size_t)snprintf(buf + n, len - n, "%s", frag)
	ADD(F_HUMAN, " AND c.needs_human = 1");
	ADD(F_UNKNOWN, " AND c.last_in_intent = 'unknown'");
	ADD(F_REVIEW, " AND c.review > 0");
	ADD(F_CHANNEL, " AND c.channel = ?1");
	ADD(F_LANG, " AND c.lang = ?2");
	ADD(F_OPEN, " AND c.status = 'open' AND k.held_until <= ?3");
	ADD(F_HELD, " AND c.contact_id IN (SELECT id FROM contacts "
	    "WHERE held_until > ?3)");
	ADD(F_RESOLVED, " AND c.status = 'resolved'");
	if (shape & F_SEARCH) {
		ADD(F_FROM, " AND m.created_at >= ?4");
		ADD(F_TO, " AND m.created_at < ?5");
		ADD(F_CURSOR, " AND f.rowid < ?7");
		ADD(F_SEARCH, " ORDER BY f.rowid DESC");
	} else {
		ADD(F_FROM, " AND c.last_at >= ?4");
		ADD(F_TO, " AND c.last_at < ?5");
		ADD(F_CURSOR, " AND (c.last_at, c.contact_id) < (?6, ?7)");
		if (n < len)
			snprintf(buf + n, len - n, " ORDER BY c.last_at DESC, "
			    "c.contact_id DESC LIMIT ?8");
	}
#undef ADD
}

/* Search results repeat a conversation per matching message: keep one. */
struct seen {
	int64_t	ids[256];
	size_t	n;
};

static int
seen_add(struct seen *s, int64_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return 0;
	if (s->n < sizeof(s->ids) / sizeof(s->ids[0]))
		s->ids[s->n++] = id;
	return 1;
}

enum mj_err
store_hd_inbox(struct store *st, const struct hd_filter *f,
    int (*fn)(void *, const struct hd_conv *), void *arg, int *more)
{
	sqlite3_stmt	*q;
	char		 text[2048] = "";
	unsigned	 shape = 0;
	struct seen	 seen;
	enum mj_err	 rc = MJ_OK;
	int		 s, got = 0, limit = f->limit;

	*more = 0;
	if (limit < 1 || limit > 200)
		return MJ_EINPUT;
	seen.n = 0;
	shape |= f->needs_human ? F_HUMAN : 0;
	shape |= f->unknown ? F_UNKNOWN : 0;
	shape |= f->review ? F_REVIEW : 0;
	shape |= f->channel != NULL ? F_CHANNEL : 0;
	shape |= f->lang != NULL ? F_LANG : 0;
	shape |= f->status == HD_OPEN ? F_OPEN : 0;
	shape |= f->status == HD_HELD ? F_HELD : 0;
	shape |= f->status == HD_RESOLVED ? F_RESOLVED : 0;
	shape |= f->from > 0 ? F_FROM : 0;
	shape |= f->to > 0 ? F_TO : 0;
	shape |= f->cur_id > 0 ? F_CURSOR : 0;
	shape |= f->q != NULL ? F_SEARCH : 0;
	inbox_sql(shape, text, sizeof(text));
	if ((q = lock_stmt(st, text)) == NULL)
		return MJ_EDB;
	bind_str(q, 1, f->channel);
	bind_str(q, 2, f->lang);
	if (shape & (F_OPEN | F_HELD))
		sqlite3_bind_int64(q, 3, f->now);
	if (shape & F_FROM)
		sqlite3_bind_int64(q, 4, f->from);
	if (shape & F_TO)
		sqlite3_bind_int64(q, 5, f->to);
	if (shape & F_CURSOR) {
		if (!(shape & F_SEARCH))
			sqlite3_bind_int64(q, 6, f->cur_at);
		sqlite3_bind_int64(q, 7, f->cur_id);
	}
	if (!(shape & F_SEARCH))
		sqlite3_bind_int(q, 8, limit + 1);
	else
		bind_str(q, 9, f->q);
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		struct hd_conv	c;

		c.contact_id = sqlite3_column_int64(q, 0);
		if ((shape & F_SEARCH) && !seen_add(&seen, c.contact_id))
			continue;
		if (got == limit) {
			*more = 1;
			break;
		}
		c.channel = col_text(q, 1);
		c.address = col_text(q, 2);
		c.phone = col_text(q, 3);
		c.lang = col_text(q, 4);
		c.snippet = col_text(q, 5);
		c.last_in_intent = col_text(q, 6);
		c.status = col_text(q, 7);
		c.held_by = col_text(q, 8);
		c.last_at = sqlite3_column_int64(q, 9);
		c.held_until = sqlite3_column_int64(q, 10);
		c.last_msg_id = sqlite3_column_int64(q, 11);
		c.msgs = sqlite3_column_int(q, 12);
		c.needs_human = sqlite3_column_int(q, 13);
		c.match_id = sqlite3_column_int64(q, 14);
		c.match = col_text(q, 15);
		c.review = sqlite3_column_int(q, 16);
		got++;
		if (fn(arg, &c) != 0)
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE) {
		/* A malformed MATCH expression is the caller's input. */
		rc = (shape & F_SEARCH) && s == SQLITE_ERROR ? MJ_EINPUT :
		    db_fail(st, "inbox");
		if (rc == MJ_EINPUT)
			log_warn("store.inbox", "err=\"%s\"",
			    sqlite3_errmsg(st->db));
	}
	done(q);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* ---- one conversation */

enum mj_err
store_hd_head(struct store *st, int64_t contact_id, struct hd_head *out)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_ENOTFOUND;

	if ((q = lock_stmt(st, SQL_HEAD)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, contact_id);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		memset(out, 0, sizeof(*out));
		out->contact_id = sqlite3_column_int64(q, 0);
		col_copy(q, 1, out->channel, sizeof(out->channel));
		col_copy(q, 2, out->address, sizeof(out->address));
		col_copy(q, 3, out->phone, sizeof(out->phone));
		col_copy(q, 4, out->lang, sizeof(out->lang));
		out->opted_out = sqlite3_column_int(q, 5);
		col_copy(q, 6, out->held_by, sizeof(out->held_by));
		out->held_until = sqlite3_column_int64(q, 7);
		col_copy(q, 8, out->status, sizeof(out->status));
		out->needs_human = sqlite3_column_int(q, 9);
		out->last_at = sqlite3_column_int64(q, 10);
		out->resolved_at = sqlite3_column_int64(q, 11);
		col_copy(q, 12, out->resolved_by, sizeof(out->resolved_by));
		rc = MJ_OK;
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = db_fail(st, "hd_head");
	}
	done(q);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int
msg_row(sqlite3_stmt *q, void *p)
{
	struct row_cb	*c = p;
	struct hd_msg	 m = {
		.id = sqlite3_column_int64(q, 0),
		.direction = col_text(q, 1), .channel = col_text(q, 2),
		.body = col_text(q, 3), .lang = col_text(q, 4),
		.intent = col_text(q, 5), .delivery = col_text(q, 6),
		.encoding = col_text(q, 7), .error = col_text(q, 8),
		.segments = sqlite3_column_int(q, 9),
		.created_at = sqlite3_column_int64(q, 10),
		.source = col_text(q, 11), .prob = sqlite3_column_double(q, 12),
		.review = sqlite3_column_int(q, 13), .label = col_text(q, 14),
		.label_by = col_text(q, 15),
		.label_at = sqlite3_column_int64(q, 16) };

	return ((int (*)(void *, const struct hd_msg *))c->fn)(c->arg, &m);
}

enum mj_err
store_hd_messages(struct store *st, int64_t contact_id, int64_t before_id,
    int limit, int (*fn)(void *, const struct hd_msg *), void *arg)
{
	sqlite3_stmt	*q;
	struct row_cb	 c = { (void (*)(void))fn, arg };
	enum mj_err	 rc;

	if ((q = lock_stmt(st, SQL_MSGS)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, contact_id);
	sqlite3_bind_int64(q, 2, before_id > 0 ? before_id : INT64_MAX);
	sqlite3_bind_int(q, 3, limit);
	rc = step_each(st, q, "hd_messages", msg_row, &c);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int
app_row(sqlite3_stmt *q, void *p)
{
	struct row_cb		*c = p;
	struct app_status	 a;

	memset(&a, 0, sizeof(a));
	col_copy(q, 0, a.number, sizeof(a.number));
	col_copy(q, 1, a.programme, sizeof(a.programme));
	col_copy(q, 2, a.status, sizeof(a.status));
	col_copy(q, 3, a.phone, sizeof(a.phone));
	col_copy(q, 4, a.pinfl_last4, sizeof(a.pinfl_last4));
	col_copy(q, 5, a.submitted, sizeof(a.submitted));
	col_copy(q, 6, a.decided, sizeof(a.decided));
	col_copy(q, 7, a.payment, sizeof(a.payment));
	return ((int (*)(void *, const struct app_status *))c->fn)(c->arg, &a);
}

enum mj_err
store_hd_applications(struct store *st, const char *phone,
    int (*fn)(void *, const struct app_status *), void *arg)
{
	sqlite3_stmt	*q;
	struct row_cb	 c = { (void (*)(void))fn, arg };
	enum mj_err	 rc;

	if ((q = lock_stmt(st, SQL_APPS)) == NULL)
		return MJ_EDB;
	bind_str(q, 1, phone);
	rc = step_each(st, q, "hd_applications", app_row, &c);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int
note_row(sqlite3_stmt *q, void *p)
{
	struct row_cb	*c = p;
	struct hd_note	 n = {
		.id = sqlite3_column_int64(q, 0),
		.username = col_text(q, 1), .body = col_text(q, 2),
		.created_at = sqlite3_column_int64(q, 3) };

	return ((int (*)(void *, const struct hd_note *))c->fn)(c->arg, &n);
}

enum mj_err
store_hd_notes(struct store *st, int64_t contact_id,
    int (*fn)(void *, const struct hd_note *), void *arg)
{
	sqlite3_stmt	*q;
	struct row_cb	 c = { (void (*)(void))fn, arg };
	enum mj_err	 rc;

	if ((q = lock_stmt(st, SQL_NOTES)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, contact_id);
	rc = step_each(st, q, "hd_notes", note_row, &c);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int
label_row(sqlite3_stmt *q, void *p)
{
	struct row_cb	*c = p;

	return ((int (*)(void *, const char *))c->fn)(c->arg, col_text(q, 0));
}

enum mj_err
store_hd_labels(struct store *st, int64_t contact_id,
    int (*fn)(void *, const char *), void *arg)
{
	sqlite3_stmt	*q;
	struct row_cb	 c = { (void (*)(void))fn, arg };
	enum mj_err	 rc;

	if ((q = lock_stmt(st, SQL_LABELS)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, contact_id);
	rc = step_each(st, q, "hd_labels", label_row, &c);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum mj_err
store_hd_note_add(struct store *st, int64_t contact_id, int64_t staff_id,
    const char *body, int64_t now, int64_t *id)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;

	PREP(q, SQL_NOTE_ADD);
	sqlite3_bind_int64(q, 1, contact_id);
	sqlite3_bind_int64(q, 2, staff_id);
	bind_str(q, 3, body);
	sqlite3_bind_int64(q, 4, now);
	if ((rc = step_done(st, q, "note_add")) == MJ_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

enum mj_err
store_hd_labels_set(struct store *st, int64_t contact_id,
    const char *const *labels, size_t n)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;

	PREP(q, SQL_LABELS_DEL);
	sqlite3_bind_int64(q, 1, contact_id);
	if ((rc = step_done(st, q, "labels_del")) != MJ_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		PREP(q, SQL_LABEL_ADD);
		sqlite3_bind_int64(q, 1, contact_id);
		bind_str(q, 2, labels[i]);
		if ((rc = step_done(st, q, "label_add")) != MJ_OK)
			return rc;
	}
	return MJ_OK;
}

/* The contact's holder ("" when free or expired at now). */
static enum mj_err
holder(struct store *st, int64_t contact_id, int64_t now, char *buf,
    size_t len)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_ENOTFOUND;

	PREP(q, SQL_HOLDER);
	sqlite3_bind_int64(q, 1, contact_id);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		if (sqlite3_column_int64(q, 1) > now)
			col_copy(q, 0, buf, len);
		else
			snprintf(buf, len, "%s", "");
		rc = MJ_OK;
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = db_fail(st, "holder");
	}
	done(q);
	return rc;
}

static enum mj_err
hold(struct store *st, int64_t contact_id, const char *username,
    int64_t until, int64_t now)
{
	sqlite3_stmt	*q;

	PREP(q, SQL_HOLD);
	sqlite3_bind_int64(q, 1, contact_id);
	bind_str(q, 2, username);
	sqlite3_bind_int64(q, 3, until);
	sqlite3_bind_int64(q, 4, now);
	return step_done(st, q, "hold");
}

enum mj_err
store_hd_take(struct store *st, int64_t contact_id, const char *username,
    int64_t until, int force, int64_t now, int *conflict, char *holder_out,
    size_t holderlen)
{
	char		who[64];
	enum mj_err	rc;

	*conflict = 0;
	snprintf(holder_out, holderlen, "%s", "");
	if ((rc = holder(st, contact_id, now, who, sizeof(who))) != MJ_OK)
		return rc;
	if (who[0] != '\0' && strcasecmp(who, username) != 0 && !force) {
		*conflict = 1;
		snprintf(holder_out, holderlen, "%s", who);
		return MJ_OK;
	}
	snprintf(holder_out, holderlen, "%s", who);
	return hold(st, contact_id, username, until, now);
}

enum mj_err
store_hd_release(struct store *st, int64_t contact_id, const char *username,
    int force, int64_t now, int *conflict)
{
	char		who[64];
	enum mj_err	rc;

	*conflict = 0;
	if ((rc = holder(st, contact_id, now, who, sizeof(who))) != MJ_OK)
		return rc;
	if (who[0] != '\0' && strcasecmp(who, username) != 0 && !force) {
		*conflict = 1;
		return MJ_OK;
	}
	return hold(st, contact_id, "", 0, now);
}

enum mj_err
store_hd_resolve(struct store *st, int64_t contact_id, const char *username,
    int resolved, int64_t now)
{
	sqlite3_stmt	*q;

	PREP(q, SQL_RESOLVE);
	sqlite3_bind_int64(q, 1, contact_id);
	sqlite3_bind_int(q, 2, resolved);
	sqlite3_bind_int64(q, 3, now);
	bind_str(q, 4, username);
	return step_done(st, q, "resolve");
}

/* ---- teaching */

enum mj_err
store_hd_label(struct store *st, int64_t msg_id, const char *intent,
    int64_t staff_id, int64_t now, int64_t *contact_id, char *prev,
    size_t prevlen)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_ENOTFOUND;
	int		 counted = 0;

	*contact_id = 0;
	snprintf(prev, prevlen, "%s", "");
	PREP(q, SQL_TEACH_GET);
	sqlite3_bind_int64(q, 1, msg_id);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		*contact_id = sqlite3_column_int64(q, 0);
		rc = strcmp(col_text(q, 1), "in") == 0 ? MJ_OK : MJ_EINPUT;
		col_copy(q, 3, prev, prevlen);
		/* The summary counts it until its first label. */
		counted = sqlite3_column_int(q, 2) && prev[0] == '\0';
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = db_fail(st, "label_get");
	}
	done(q);
	if (rc != MJ_OK)
		return rc;
	PREP(q, SQL_TEACH_SET);
	sqlite3_bind_int64(q, 1, msg_id);
	bind_str(q, 2, intent);
	sqlite3_bind_int64(q, 3, staff_id);
	sqlite3_bind_int64(q, 4, now);
	if ((rc = step_done(st, q, "label_set")) != MJ_OK || !counted)
		return rc;
	PREP(q, SQL_TEACH_RECOUNT);
	sqlite3_bind_int64(q, 1, *contact_id);
	return step_done(st, q, "label_recount");
}

static int
labelled_row(sqlite3_stmt *q, void *p)
{
	struct row_cb		*c = p;
	struct hd_labelled	 l = {
		.id = sqlite3_column_int64(q, 0),
		.body = col_text(q, 1), .lang = col_text(q, 2),
		.intent = col_text(q, 3) };

	return ((int (*)(void *, const struct hd_labelled *))c->fn)(c->arg,
	    &l);
}

enum mj_err
store_hd_labelled(struct store *st,
    int (*fn)(void *, const struct hd_labelled *), void *arg)
{
	sqlite3_stmt	*q;
	struct row_cb	 c = { (void (*)(void))fn, arg };
	enum mj_err	 rc;

	if ((q = lock_stmt(st, SQL_TEACH_LIST)) == NULL)
		return MJ_EDB;
	rc = step_each(st, q, "labelled", labelled_row, &c);
	pthread_mutex_unlock(&st->lock);
	return rc;
}


/* Days are Tashkent's (UTC+5 all year). */
static const char SQL_ST_DAYS[] =
    "SELECT date(created_at + 18000, 'unixepoch') AS d, "
    "channel, "
    "sum(direction = 'in'), sum(direction = 'out'), "
    "sum(CASE WHEN direction = 'out' AND delivery IN ('sent', "
    "'delivered', 'sync') THEN coalesce(segments, 0) ELSE 0 END), "
    "sum(delivery = 'failed') FROM messages "
    "WHERE created_at >= ?1 AND created_at < ?2 "
    "GROUP BY d, channel ORDER BY d, channel";

static const char SQL_ST_INTENTS[] =
    "SELECT coalesce(intent, ''), count(*) FROM messages "
    "WHERE created_at >= ?1 AND created_at < ?2 AND direction = 'in' "
    "GROUP BY 1 ORDER BY 2 DESC";

static const char SQL_ST_LANGS[] =
    "SELECT coalesce(lang, ''), count(*) FROM messages "
    "WHERE created_at >= ?1 AND created_at < ?2 AND direction = 'in' "
    "GROUP BY 1 ORDER BY 2 DESC";

/*
 * Messages to label, the same text together; a text labelled once
 * is left out (the labels are few: agents make them one by one).
 */
static const char SQL_ST_UNKNOWN[] =
    "SELECT b, n, last, (SELECT coalesce(intent, '') "
    "FROM messages WHERE id = last), (SELECT coalesce(nlu_prob, 0) "
    "FROM messages WHERE id = last) FROM (SELECT lower(trim(m.body)) "
    "AS b, count(*) AS n, max(m.id) AS last FROM messages m "
    "WHERE m.created_at >= ?1 AND m.created_at < ?2 AND "
    "m.direction = 'in' AND m.review = 1 GROUP BY b HAVING b NOT IN "
    "(SELECT lower(trim(x.body)) FROM message_labels l JOIN messages x "
    "ON x.id = l.message_id) ORDER BY n DESC, b LIMIT 20)";

static const char SQL_ST_REVIEW[] =
    "SELECT count(*) FROM messages m WHERE "
    "m.created_at >= ?1 AND m.created_at < ?2 AND m.direction = 'in' "
    "AND m.review = 1 AND NOT EXISTS (SELECT 1 FROM message_labels l "
    "WHERE l.message_id = m.id)";

/* The bot answers in the same transaction: reply_to gives the pair. */
static const char SQL_ST_REPLY_BOT[] =
    "SELECT o.created_at - i.created_at AS s "
    "FROM messages o JOIN messages i ON i.id = o.reply_to "
    "WHERE o.created_at >= ?1 AND o.created_at < ?2 AND "
    "o.direction = 'out' ORDER BY s";

/* An agent's reply: time since the citizen's latest message before. */
static const char SQL_ST_REPLY_AGENT[] =
    "SELECT s FROM (SELECT o.created_at - (SELECT "
    "max(i.created_at) FROM messages i WHERE i.contact_id = "
    "o.contact_id AND i.direction = 'in' AND i.id < o.id) AS s "
    "FROM messages o WHERE o.created_at >= ?1 AND o.created_at < ?2 "
    "AND o.direction = 'out' AND o.intent = 'manual') "
    "WHERE s IS NOT NULL ORDER BY s";

static int
stat_row(sqlite3_stmt *q, void *p)
{
	struct row_cb	*c = p;
	struct hd_stat	 s;
	int		 n = sqlite3_column_count(q);

	memset(&s, 0, sizeof(s));
	if (n == 1) {
		s.v[0] = sqlite3_column_int64(q, 0);
	} else if (n == 2) {
		s.k1 = col_text(q, 0);
		s.v[0] = sqlite3_column_int64(q, 1);
	} else {
		s.k1 = col_text(q, 0);
		s.k2 = col_text(q, 1);
		for (int i = 0; i < 4 && i + 2 < n; i++)
			s.v[i] = sqlite3_column_int64(q, i + 2);
	}
	return ((int (*)(void *, const struct hd_stat *))c->fn)(c->arg, &s);
}

/* k1 body, v0 times, v1 the latest id, k2 its intent, d its probability */
static int
top_row(sqlite3_stmt *q, void *p)
{
	struct row_cb	*c = p;
	struct hd_stat	 s;

	memset(&s, 0, sizeof(s));
	s.k1 = col_text(q, 0);
	s.v[0] = sqlite3_column_int64(q, 1);
	s.v[1] = sqlite3_column_int64(q, 2);
	s.k2 = col_text(q, 3);
	s.d = sqlite3_column_double(q, 4);
	return ((int (*)(void *, const struct hd_stat *))c->fn)(c->arg, &s);
}

enum mj_err
store_hd_stats(struct store *st, enum hd_stat_kind kind, int64_t from,
    int64_t to, int (*fn)(void *, const struct hd_stat *), void *arg)
{
	static const char *const which[] = {
		[HD_STAT_DAYS] = SQL_ST_DAYS,
		[HD_STAT_INTENTS] = SQL_ST_INTENTS,
		[HD_STAT_LANGS] = SQL_ST_LANGS,
		[HD_STAT_UNKNOWN_TOP] = SQL_ST_UNKNOWN,
		[HD_STAT_REPLY_SECS] = NULL,	/* below */
		[HD_STAT_REVIEW] = SQL_ST_REVIEW,
	};
	sqlite3_stmt	*q;
	struct row_cb	 c = { (void (*)(void))fn, arg };
	enum mj_err	 rc = MJ_OK;

	if (kind == HD_STAT_REPLY_SECS) {
		/* Two lists, tagged by k1; each sorted. */
		const char *tag[2] = { "bot", "agent" };
		const char *qs[2] = { SQL_ST_REPLY_BOT, SQL_ST_REPLY_AGENT };

		for (int i = 0; i < 2 && rc == MJ_OK; i++) {
			int s;

			if ((q = lock_stmt(st, qs[i])) == NULL)
				return MJ_EDB;
			sqlite3_bind_int64(q, 1, from);
			sqlite3_bind_int64(q, 2, to);
			while ((s = sqlite3_step(q)) == SQLITE_ROW) {
				struct hd_stat	r = { .k1 = tag[i] };

				r.v[0] = sqlite3_column_int64(q, 0);
				if (fn(arg, &r) != 0) {
					s = SQLITE_DONE;
					break;
				}
			}
			if (s != SQLITE_DONE)
				rc = db_fail(st, "stats_reply");
			done(q);
			pthread_mutex_unlock(&st->lock);
		}
		return rc;
	}
	if ((unsigned)kind >= sizeof(which) / sizeof(which[0]))
		return MJ_EINPUT;
	if ((q = lock_stmt(st, which[kind])) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_int64(q, 2, to);
	rc = step_each(st, q, "stats", kind == HD_STAT_UNKNOWN_TOP ? top_row :
	    stat_row, &c);
	pthread_mutex_unlock(&st->lock);
	return rc;
}
