/*
 * helpdesk_store_test.c - the help desk's SQL on a real SQLite store in a
 * temporary folder: staff accounts (the hash stored, never the password),
 * sessions, login throttling, audit rows, the inbox's order, filters and
 * keyset paging (every filter shape against the fixture's own answer), a
 * conversation's messages, notes, labels and takeover, the dashboard, and
 * search: by a contact's own phone in every usual writing (never a number
 * inside a text), and the citizens' messages alone or with the replies.
 * With MUROJAAT_TEST_PG the same on PostgreSQL (tests/unit/pgtest.h), and
 * two nodes indexing one database at once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "base/phone.h"
#include "check.h"
#include "gateway/staff.h"
#include "pgtest.h"
#include "store/helpdesk.h"
#include "store/index.h"
#include "store/pg_int.h"
#include "store/store.h"
#include "store/store_int.h"

#define T0	1750000000LL	/* 2025-06-15 15:06:40 UTC, 20:06 in Tashkent */
#define NOW	(T0 + 1000)

/* On PostgreSQL: q's first cell on a connection of its own (NULL: none). */
static char *
pg_cell(const char *url, const char *q)
{
	PGconn		*c = PQconnectdb(url);
	PGresult	*r = PQexec(c, q);
	char		*v = NULL;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
	    !PQgetisnull(r, 0, 0))
		v = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return v;
}

static long long
scalar(const char *path, const char *q)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	long long	 v = -1;

	if (test_pg()) {
		char	*s = pg_cell(path, q);

		if (s != NULL)
			v = strtoll(s, NULL, 10);
		free(s);
		return v;
	}
	sqlite3_open(path, &db);
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static char *
text(const char *path, const char *q)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		*v = NULL;

	if (test_pg()) {
		v = pg_cell(path, q);
		return v != NULL ? v : strdup("(none)");
	}
	sqlite3_open(path, &db);
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v != NULL ? v : strdup("(none)");
}

/* ---- staff, sessions, throttling */

struct staff_seen {
	int		n;
	char		names[8][64];
	char		roles[8][16];
	int64_t		last_login[8];
	int		sessions[8];
};

static int
staff_cb(void *arg, const struct hd_staff *s)
{
	struct staff_seen	*v = arg;

	if (v->n < 8) {
		snprintf(v->names[v->n], sizeof(v->names[0]), "%s",
		    s->username);
		snprintf(v->roles[v->n], sizeof(v->roles[0]), "%s", s->role);
		v->last_login[v->n] = s->last_login;
		v->sessions[v->n] = s->sessions;
	}
	v->n++;
	return 0;
}

static void
test_staff(struct store *st, const char *path, int64_t *aziza_id)
{
	static const char pw[] = "qovun-pishdi-2025";
	struct hd_staff		 sf;
	struct staff_seen	 seen = { 0 };
	char			 hash[256], csrf[64], why[128], *db_hash;
	int			 failures;
	int64_t			 win, bobur_id;

	/* the bot's staff_add hashes; the store keeps only the hash */
	CHECK_INT(staff_add(st, "aziza", "agent", pw, T0, why, sizeof(why)),
	    MJ_OK);
	CHECK_INT(store_staff_get(st, "aziza", &sf, hash, sizeof(hash)),
	    MJ_OK);
	CHECK_STR(sf.username, "aziza");
	CHECK_STR(sf.role, "agent");
	CHECK_INT(sf.disabled, 0);
	CHECK(strncmp(hash, "$argon2id$", 10) == 0);
	CHECK(strstr(hash, pw) == NULL);
	CHECK_INT(crypto_pwhash_str_verify(hash, pw, strlen(pw)), 0);
	CHECK(crypto_pwhash_str_verify(hash, "qovun-pishdi-2024", 17) != 0);
	db_hash = text(path, "SELECT pw_hash FROM staff WHERE "
	    "username = 'aziza'");
	CHECK_STR(db_hash, hash);
	free(db_hash);
	CHECK_INT(scalar(path, "SELECT count(*) FROM staff WHERE "
	    "pw_hash LIKE '%qovun%'"), 0);
	*aziza_id = sf.id;

	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_staff_add(st, "bobur", "supervisor", "$argon2id$x",
	    T0 + 1), MJ_OK);
	/* names are unique whatever their case */
	CHECK_INT(store_staff_add(st, "Aziza", "agent", "$argon2id$y", T0 + 2),
	    MJ_EINPUT);
	CHECK_INT(store_staff_add(st, "dilnoza", "boss", "$argon2id$z", T0 + 2),
	    MJ_EINPUT);	/* not a role: the CHECK constraint */
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_staff_get(st, "bobur", &sf, hash, sizeof(hash)),
	    MJ_OK);
	CHECK_STR(sf.role, "supervisor");
	CHECK_STR(hash, "$argon2id$x");
	bobur_id = sf.id;
	CHECK(bobur_id != *aziza_id);
	CHECK_INT(store_staff_get(st, "nobody", &sf, hash, sizeof(hash)),
	    MJ_ENOTFOUND);

	/* role change; nothing else moves */
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_staff_set(st, "bobur", -1, NULL, "admin", 0), MJ_OK);
	CHECK_INT(store_staff_set(st, "nobody", 1, NULL, NULL, 1),
	    MJ_ENOTFOUND);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_staff_get(st, "bobur", &sf, hash, sizeof(hash)),
	    MJ_OK);
	CHECK_STR(sf.role, "admin");
	CHECK_STR(hash, "$argon2id$x");
	CHECK_INT(sf.disabled, 0);

	/* sessions */
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_session_add(st, "th-aziza", *aziza_id, "csrf-a", T0,
	    T0 + 3600), MJ_OK);
	CHECK_INT(store_session_add(st, "th-bobur", bobur_id, "csrf-b", T0,
	    T0 + 10), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_session_get(st, "th-aziza", T0 + 1, &sf, csrf,
	    sizeof(csrf)), MJ_OK);
	CHECK_INT(sf.id, *aziza_id);
	CHECK_STR(sf.username, "aziza");
	CHECK_STR(csrf, "csrf-a");
	CHECK_INT(store_session_get(st, "th-bobur", T0 + 9, &sf, csrf,
	    sizeof(csrf)), MJ_OK);
	CHECK_STR(sf.role, "admin");
	CHECK_STR(csrf, "csrf-b");
	/* expired at expires_at */
	CHECK_INT(store_session_get(st, "th-bobur", T0 + 10, &sf, csrf,
	    sizeof(csrf)), MJ_ENOTFOUND);
	CHECK_INT(store_session_get(st, "th-nobody", T0 + 1, &sf, csrf,
	    sizeof(csrf)), MJ_ENOTFOUND);

	/* a disabled account's session does not count, and comes back */
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_staff_set(st, "aziza", 1, NULL, NULL, 0), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_staff_get(st, "aziza", &sf, hash, sizeof(hash)),
	    MJ_OK);
	CHECK_INT(sf.disabled, 1);
	CHECK_INT(store_session_get(st, "th-aziza", T0 + 1, &sf, csrf,
	    sizeof(csrf)), MJ_ENOTFOUND);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_staff_set(st, "aziza", 0, NULL, NULL, 0), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_session_get(st, "th-aziza", T0 + 1, &sf, csrf,
	    sizeof(csrf)), MJ_OK);
	CHECK_INT(sf.disabled, 0);

	/* the listing: by name, with live sessions and the last login */
	CHECK_INT(store_begin(st), MJ_OK);
	{
		struct hd_audit	a = { .at = T0 + 5, .staff_id = *aziza_id,
		    .username = "aziza", .action = "login", .req = "r-login",
		    .ip = "192.0.2.7" };

		CHECK_INT(store_audit_add(st, &a), MJ_OK);
	}
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_staff_list(st, T0 + 1, staff_cb, &seen), MJ_OK);
	CHECK_INT(seen.n, 2);
	CHECK_STR(seen.names[0], "aziza");
	CHECK_STR(seen.names[1], "bobur");
	CHECK_STR(seen.roles[1], "admin");
	CHECK_INT(seen.last_login[0], T0 + 5);
	CHECK_INT(seen.last_login[1], 0);
	CHECK_INT(seen.sessions[0], 1);
	CHECK_INT(seen.sessions[1], 1);

	/* logout drops the session and every expired one */
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_session_del(st, "th-aziza", T0 + 100), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(scalar(path, "SELECT count(*) FROM sessions"), 0);
	CHECK_INT(store_session_get(st, "th-aziza", T0 + 101, &sf, csrf,
	    sizeof(csrf)), MJ_ENOTFOUND);

	/* disabling with end_sessions ends them */
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_session_add(st, "th-b2", bobur_id, "csrf-b2", T0,
	    T0 + 3600), MJ_OK);
	CHECK_INT(store_session_add(st, "th-a2", *aziza_id, "csrf-a2", T0,
	    T0 + 3600), MJ_OK);
	CHECK_INT(store_staff_set(st, "bobur", 1, NULL, NULL, 1), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(scalar(path, "SELECT count(*) FROM sessions"), 1);
	CHECK_INT(scalar(path, "SELECT staff_id FROM sessions"), *aziza_id);

	/* login throttling: a window, then a new one */
	CHECK_INT(store_begin(st), MJ_OK);
	for (int i = 0; i < 3; i++)
		CHECK_INT(store_login_failed(st, "ip:192.0.2.9", T0 + i, 300),
		    MJ_OK);
	CHECK_INT(store_login_failures(st, "ip:192.0.2.9", T0 + 10, 300,
	    &failures, &win), MJ_OK);
	CHECK_INT(failures, 3);
	CHECK_INT(win, T0);
	CHECK_INT(store_login_failures(st, "ip:192.0.2.1", T0 + 10, 300,
	    &failures, &win), MJ_OK);
	CHECK_INT(failures, 0);
	CHECK_INT(store_login_failures(st, "ip:192.0.2.9", T0 + 300, 300,
	    &failures, &win), MJ_OK);
	CHECK_INT(failures, 0);
	CHECK_INT(win, T0 + 300);
	CHECK_INT(store_login_failed(st, "ip:192.0.2.9", T0 + 400, 300),
	    MJ_OK);
	CHECK_INT(store_login_failures(st, "ip:192.0.2.9", T0 + 401, 300,
	    &failures, &win), MJ_OK);
	CHECK_INT(failures, 1);
	CHECK_INT(win, T0 + 400);
	/* a success takes one failure back */
	CHECK_INT(store_login_undo(st, "ip:192.0.2.9"), MJ_OK);
	CHECK_INT(store_login_failures(st, "ip:192.0.2.9", T0 + 401, 300,
	    &failures, &win), MJ_OK);
	CHECK_INT(failures, 0);
	CHECK_INT(store_login_undo(st, "ip:192.0.2.9"), MJ_OK);
	CHECK_INT(store_login_failures(st, "ip:192.0.2.9", T0 + 401, 300,
	    &failures, &win), MJ_OK);
	CHECK_INT(failures, 0);
	CHECK_INT(win, T0 + 400);
	/* the time of the last failure: each one, and each verdict, moves it */
	CHECK_INT(store_login_last(st, "ulast:aziza", T0 + 5), MJ_OK);
	CHECK_INT(store_login_last(st, "ulast:aziza", T0 + 9), MJ_OK);
	CHECK_INT(store_login_mark(st, "ulast:aziza", T0 + 12), MJ_OK);
	CHECK_INT(store_login_mark(st, "ulast:aziza", T0 + 11), MJ_OK);
	CHECK_INT(store_login_failures(st, "ulast:aziza", T0 + 20, 300,
	    &failures, &win), MJ_OK);
	CHECK_INT(failures, 2);
	CHECK_INT(win, T0 + 12);
	CHECK_INT(store_login_failed(st, "ip:192.0.2.9", T0 + 401, 300),
	    MJ_OK);
	CHECK_INT(store_login_clear(st, "ip:192.0.2.9"), MJ_OK);
	CHECK_INT(store_login_failures(st, "ip:192.0.2.9", T0 + 402, 300,
	    &failures, &win), MJ_OK);
	CHECK_INT(failures, 0);
	CHECK_INT(store_end(st, 1), MJ_OK);
}

/* ---- audit */

struct audit_seen {
	int	n;
	int64_t	id[8], at[8], staff_id[8], contact_id[8];
	char	username[8][32], action[8][32], detail[8][64], req[8][32],
		ip[8][32];
};

static int
audit_cb(void *arg, const struct hd_audit *a)
{
	struct audit_seen	*v = arg;
	int			 i = v->n;

	if (i < 8) {
		v->id[i] = a->id;
		v->at[i] = a->at;
		v->staff_id[i] = a->staff_id;
		v->contact_id[i] = a->contact_id;
		snprintf(v->username[i], sizeof(v->username[i]), "%s",
		    a->username);
		snprintf(v->action[i], sizeof(v->action[i]), "%s", a->action);
		snprintf(v->detail[i], sizeof(v->detail[i]), "%s", a->detail);
		snprintf(v->req[i], sizeof(v->req[i]), "%s", a->req);
		snprintf(v->ip[i], sizeof(v->ip[i]), "%s", a->ip);
	}
	v->n++;
	return 0;
}

static void
test_audit(struct store *st, const char *path, int64_t aziza_id,
    int64_t contact_id)
{
	struct audit_seen	all = { 0 }, one = { 0 }, page = { 0 };
	struct hd_audit		a = { .at = T0 + 20, .staff_id = aziza_id,
	    .username = "aziza", .action = "take", .contact_id = contact_id,
	    .detail = "until=1750003600", .req = "r-take", .ip = "192.0.2.7" };
	struct hd_audit		b = { .at = T0 + 21, .username = "mallory",
	    .action = "login.fail", .ip = "198.51.100.3" };

	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_audit_add(st, &a), MJ_OK);
	CHECK_INT(store_audit_add(st, &b), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	/* the row as written; 0 ids are stored as NULL */
	CHECK_INT(scalar(path, "SELECT count(*) FROM audit WHERE action = "
	    "'login.fail' AND staff_id IS NULL AND contact_id IS NULL AND "
	    "detail = '' AND req = ''"), 1);

	/* newest first: the failed login, the take, the login, staff.add */
	CHECK_INT(store_audit_list(st, 0, 0, 10, audit_cb, &all), MJ_OK);
	CHECK_INT(all.n, 4);
	CHECK_STR(all.action[0], "login.fail");
	CHECK_STR(all.username[0], "mallory");
	CHECK_INT(all.staff_id[0], 0);
	CHECK_STR(all.ip[0], "198.51.100.3");
	CHECK_STR(all.action[1], "take");
	CHECK_STR(all.action[2], "login");
	CHECK_STR(all.action[3], "staff.add");
	CHECK_STR(all.username[3], "cli");
	CHECK_STR(all.detail[3], "aziza");
	CHECK(all.id[0] > all.id[1] && all.id[1] > all.id[2] &&
	    all.id[2] > all.id[3]);

	/* one conversation's rows, every field */
	CHECK_INT(store_audit_list(st, contact_id, 0, 10, audit_cb, &one),
	    MJ_OK);
	CHECK_INT(one.n, 1);
	CHECK_INT(one.at[0], T0 + 20);
	CHECK_INT(one.staff_id[0], aziza_id);
	CHECK_STR(one.username[0], "aziza");
	CHECK_STR(one.action[0], "take");
	CHECK_INT(one.contact_id[0], contact_id);
	CHECK_STR(one.detail[0], "until=1750003600");
	CHECK_STR(one.req[0], "r-take");
	CHECK_STR(one.ip[0], "192.0.2.7");

	/* paging: below an id, at most limit rows */
	CHECK_INT(store_audit_list(st, 0, all.id[1], 2, audit_cb, &page),
	    MJ_OK);
	CHECK_INT(page.n, 2);
	CHECK_INT(page.id[0], all.id[2]);
	CHECK_INT(page.id[1], all.id[3]);

	/* a time range: from <= at < to; to 0 has no end */
	{
		struct audit_seen	r1 = { 0 }, r2 = { 0 }, r3 = { 0 };

		CHECK_INT(store_audit_range(st, 0, 0, T0 + 20, T0 + 21, 10,
		    audit_cb, &r1), MJ_OK);
		CHECK_INT(r1.n, 1);
		CHECK_STR(r1.action[0], "take");
		CHECK_INT(store_audit_range(st, 0, 0, T0 + 21, 0, 10,
		    audit_cb, &r2), MJ_OK);
		CHECK_INT(r2.n, 1);
		CHECK_STR(r2.action[0], "login.fail");
		CHECK_INT(store_audit_range(st, contact_id, 0, T0 + 21, 0, 10,
		    audit_cb, &r3), MJ_OK);
		CHECK_INT(r3.n, 0);
	}
}

/* ---- the inbox */

/* The fixture's conversations, as the inbox should see them. */
struct fx {
	const char	*channel, *address, *lang;
	int		 human, unknown, resolved, held;
	int64_t		 last_at;
	int64_t		 id;		/* filled in */
};

static struct fx fx[] = {
	{ "sms", "+998900000001", "uz-Latn", 0, 0, 0, 0, T0 + 11, 0 },
	{ "telegram", "1002", "ru", 0, 0, 0, 0, T0 + 21, 0 },
	{ "sms", "+998900000003", "uz-Latn", 1, 1, 0, 0, T0 + 40, 0 },
	{ "telegram", "1004", "ru", 1, 0, 0, 0, T0 + 50, 0 },
	{ "sms", "+998900000005", "uz-Latn", 0, 0, 1, 0, T0 + 60, 0 },
	{ "telegram", "1006", "ru", 0, 1, 0, 1, T0 + 70, 0 },
};
#define NFX	(int)(sizeof(fx) / sizeof(fx[0]))

enum { A, B, C, D, E, F };

static int64_t
msg(struct store *st, int who, const char *dir, const char *body,
    const char *intent, int64_t at, int64_t reply_to, const char *delivery)
{
	struct msg_row	m = { .contact_id = fx[who].id, .direction = dir,
	    .channel = fx[who].channel, .req = "r", .reply_to = reply_to,
	    .body = body, .lang = fx[who].lang, .intent = intent,
	    .delivery = delivery, .created_at = at };
	int64_t		id = 0;

	if (strcmp(fx[who].channel, "sms") == 0 && strcmp(dir, "out") == 0) {
		m.encoding = "gsm7";
		m.segments = 1;
	}
	CHECK_INT(store_msg_add(st, &m, &id), MJ_OK);
	return id;
}

struct inbox_seen {
	int	n;
	int64_t	id[16], last_at[16], match_id[16];
	char	status[16][12], held_by[16][64], match[16][64],
		intent[16][32];
};

static int
inbox_cb(void *arg, const struct hd_conv *c)
{
	struct inbox_seen	*v = arg;
	int			 i = v->n;

	if (i < 16) {
		v->id[i] = c->contact_id;
		v->last_at[i] = c->last_at;
		v->match_id[i] = c->match_id;
		snprintf(v->status[i], sizeof(v->status[i]), "%s", c->status);
		snprintf(v->held_by[i], sizeof(v->held_by[i]), "%s",
		    c->held_by);
		snprintf(v->match[i], sizeof(v->match[i]), "%s", c->match);
		snprintf(v->intent[i], sizeof(v->intent[i]), "%s",
		    c->last_in_intent);
	}
	v->n++;
	return 0;
}

static int
fx_matches(const struct fx *x, const struct hd_filter *f)
{
	if ((f->needs_human && !x->human) || (f->unknown && !x->unknown))
		return 0;
	if (f->channel != NULL && strcmp(f->channel, x->channel) != 0)
		return 0;
	if (f->lang != NULL && strcmp(f->lang, x->lang) != 0)
		return 0;
	if (f->status == HD_OPEN && (x->resolved || x->held))
		return 0;
	if (f->status == HD_HELD && !x->held)
		return 0;
	if (f->status == HD_RESOLVED && !x->resolved)
		return 0;
	if (f->from > 0 && x->last_at < f->from)
		return 0;
	if (f->to > 0 && x->last_at >= f->to)
		return 0;
	return 1;
}

/* The conversations fx_matches() keeps, newest first, into ids. */
static int
fx_expect(const struct hd_filter *f, int64_t *ids)
{
	int	n = 0;

	for (int i = NFX - 1; i >= 0; i--)	/* fx is oldest first */
		if (fx_matches(&fx[i], f))
			ids[n++] = fx[i].id;
	return n;
}

static void
test_inbox(struct store *st, int64_t *c_in1, int64_t *c_in2)
{
	struct inbox_seen	v;
	struct hd_filter	f;
	struct contact		k;
	char			who[64];
	int			more, conflict, n, shapes = 0, right = 0;
	size_t			before;
	int64_t			in, want[NFX];

	CHECK_INT(store_begin(st), MJ_OK);
	for (int i = 0; i < NFX; i++) {
		CHECK_INT(store_contact_get(st, fx[i].channel, fx[i].address,
		    T0, &k), MJ_OK);
		fx[i].id = k.id;
	}
	in = msg(st, A, "in", "salom", "greeting", T0 + 10, 0, "received");
	msg(st, A, "out", "Assalomu alaykum", "greeting", T0 + 11, in, "sync");
	in = msg(st, B, "in", "arizam qayerda", "status", T0 + 20, 0,
	    "received");
	msg(st, B, "out", "Ariza raqamini yozing", "status", T0 + 21, in,
	    "failed");
	*c_in1 = msg(st, C, "in", "xyz", "unknown", T0 + 30, 0, "received");
	*c_in2 = msg(st, C, "in", "abc", "unknown", T0 + 40, 0, "received");
	msg(st, D, "in", "operator kerak", "human_operator", T0 + 50, 0,
	    "received");
	msg(st, E, "in", "rahmat", "thanks", T0 + 60, 0, "received");
	msg(st, F, "in", "qachon", "unknown", T0 + 70, 0, "received");
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_index_pending(st, 1000, &n), MJ_OK);
	CHECK_INT(n, 9);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_hd_resolve(st, fx[E].id, "aziza", 1, T0 + 80), MJ_OK);
	CHECK_INT(store_hd_take(st, fx[F].id, "aziza", T0 + 5000, 0, T0 + 90,
	    &conflict, who, sizeof(who)), MJ_OK);
	CHECK_INT(conflict, 0);
	CHECK_STR(who, "");
	CHECK_INT(store_end(st, 1), MJ_OK);

	/* all of them, newest first, with what the summary holds */
	memset(&v, 0, sizeof(v));
	f = (struct hd_filter){ .limit = 50, .now = NOW };
	CHECK_INT(store_hd_inbox(st, &f, inbox_cb, &v, &more), MJ_OK);
	CHECK_INT(v.n, NFX);
	CHECK_INT(more, 0);
	for (int i = 0; i < NFX && i < v.n; i++) {
		CHECK_INT(v.id[i], fx[NFX - 1 - i].id);
		CHECK_INT(v.last_at[i], fx[NFX - 1 - i].last_at);
	}
	CHECK_STR(v.status[1], "resolved");		/* E */
	CHECK_STR(v.held_by[0], "aziza");		/* F */
	CHECK_STR(v.intent[0], "unknown");
	CHECK_STR(v.intent[2], "human_operator");	/* D */

	/*
	 * Every shape of these filters, against the fixture's own answer:
	 * 256 statements of the cache, which grows to hold them.
	 */
	before = st->nstmts;
	for (int m = 0; m < 256; m++) {
		int	nw, ok;

		f = (struct hd_filter){ .limit = 50, .now = NOW,
		    .needs_human = m & 1, .unknown = (m >> 1) & 1,
		    .channel = m & 4 ? "sms" : NULL,
		    .lang = m & 8 ? "ru" : NULL,
		    .status = (enum hd_status)((m >> 4) & 3),
		    .from = m & 64 ? T0 + 30 : 0,
		    .to = m & 128 ? T0 + 61 : 0 };
		memset(&v, 0, sizeof(v));
		if (store_hd_inbox(st, &f, inbox_cb, &v, &more) != MJ_OK)
			continue;
		shapes++;
		nw = fx_expect(&f, want);
		ok = v.n == nw && more == 0;
		for (int i = 0; ok && i < nw; i++)
			ok = v.id[i] == want[i];
		if (ok)
			right++;
		else
			fprintf(stderr, "inbox shape %d: %d rows, want %d\n",
			    m, v.n, nw);
	}
	CHECK_INT(shapes, 256);
	CHECK_INT(right, 256);
	if (!test_pg()) {	/* SQLite's statement cache (store.c) */
		CHECK(st->nstmts >= before + 255);
		CHECK(st->capstmts >= 2 * st->nstmts);
	}

	/* keyset paging: two at a time, the cursor from the last row */
	f = (struct hd_filter){ .limit = 2, .now = NOW };
	for (int page = 0; page < 3; page++) {
		memset(&v, 0, sizeof(v));
		CHECK_INT(store_hd_inbox(st, &f, inbox_cb, &v, &more), MJ_OK);
		CHECK_INT(v.n, 2);
		CHECK_INT(more, page < 2);
		CHECK_INT(v.id[0], fx[NFX - 1 - 2 * page].id);
		CHECK_INT(v.id[1], fx[NFX - 2 - 2 * page].id);
		f.cur_at = v.last_at[1];
		f.cur_id = v.id[1];
	}
	/* a cursor on a filtered list */
	memset(&v, 0, sizeof(v));
	f = (struct hd_filter){ .limit = 1, .now = NOW, .channel = "sms" };
	CHECK_INT(store_hd_inbox(st, &f, inbox_cb, &v, &more), MJ_OK);
	CHECK_INT(v.n, 1);
	CHECK_INT(v.id[0], fx[E].id);
	CHECK_INT(more, 1);
	f.cur_at = v.last_at[0];
	f.cur_id = v.id[0];
	f.limit = 5;
	memset(&v, 0, sizeof(v));
	CHECK_INT(store_hd_inbox(st, &f, inbox_cb, &v, &more), MJ_OK);
	CHECK_INT(v.n, 2);
	CHECK_INT(v.id[0], fx[C].id);
	CHECK_INT(v.id[1], fx[A].id);
	CHECK_INT(more, 0);

	/* full-text search: the matching message, once per conversation */
	memset(&v, 0, sizeof(v));
	f = (struct hd_filter){ .limit = 10, .now = NOW, .q = "salom" };
	CHECK_INT(store_hd_inbox(st, &f, inbox_cb, &v, &more), MJ_OK);
	CHECK_INT(v.n, 1);
	CHECK_INT(v.id[0], fx[A].id);
	CHECK_STR(v.match[0], "salom");
	memset(&v, 0, sizeof(v));
	f = (struct hd_filter){ .limit = 10, .now = NOW, .q = "xyz OR abc" };
	CHECK_INT(store_hd_inbox(st, &f, inbox_cb, &v, &more), MJ_OK);
	CHECK_INT(v.n, 1);
	CHECK_INT(v.id[0], fx[C].id);
	CHECK_INT(v.match_id[0], *c_in2);	/* the newest match */
	/* a limit out of range is the caller's mistake */
	f = (struct hd_filter){ .limit = 0, .now = NOW };
	CHECK_INT(store_hd_inbox(st, &f, inbox_cb, &v, &more), MJ_EINPUT);
}

/* ---- one conversation */

struct msgs_seen {
	int	n;
	int64_t	id[8], at[8];
	int	segments[8];
	char	body[8][64], dir[8][8], intent[8][32], delivery[8][16],
		encoding[8][8];
};

static int
msgs_cb(void *arg, const struct hd_msg *m)
{
	struct msgs_seen	*v = arg;
	int			 i = v->n;

	if (i < 8) {
		v->id[i] = m->id;
		v->at[i] = m->created_at;
		v->segments[i] = m->segments;
		snprintf(v->body[i], sizeof(v->body[i]), "%s", m->body);
		snprintf(v->dir[i], sizeof(v->dir[i]), "%s", m->direction);
		snprintf(v->intent[i], sizeof(v->intent[i]), "%s", m->intent);
		snprintf(v->delivery[i], sizeof(v->delivery[i]), "%s",
		    m->delivery);
		snprintf(v->encoding[i], sizeof(v->encoding[i]), "%s",
		    m->encoding);
	}
	v->n++;
	return 0;
}

struct strs {
	int	n;
	char	s[8][64];
};

static int
label_cb(void *arg, const char *label)
{
	struct strs	*v = arg;

	if (v->n < 8)
		snprintf(v->s[v->n], sizeof(v->s[0]), "%s", label);
	v->n++;
	return 0;
}

static int
note_cb(void *arg, const struct hd_note *n)
{
	struct strs	*v = arg;

	if (v->n < 8)
		snprintf(v->s[v->n], sizeof(v->s[0]), "%s: %s", n->username,
		    n->body);
	v->n++;
	return 0;
}

static void
test_conversation(struct store *st, int64_t aziza_id, int64_t c_in1,
    int64_t c_in2)
{
	static const char *const labels[] = { "vip", "urgent", "vip" };
	struct msgs_seen	 v;
	struct hd_head		 h;
	struct strs		 s;
	char			 who[64];
	int			 conflict;
	int64_t			 note_id = 0;

	/* oldest first; paging below an id; the latest limit */
	memset(&v, 0, sizeof(v));
	CHECK_INT(store_hd_messages(st, fx[C].id, 0, 10, msgs_cb, &v), MJ_OK);
	CHECK_INT(v.n, 2);
	CHECK_INT(v.id[0], c_in1);
	CHECK_STR(v.body[0], "xyz");
	CHECK_STR(v.body[1], "abc");
	CHECK_STR(v.dir[1], "in");
	CHECK_STR(v.intent[1], "unknown");
	CHECK_INT(v.at[1], T0 + 40);
	memset(&v, 0, sizeof(v));
	CHECK_INT(store_hd_messages(st, fx[C].id, c_in2, 10, msgs_cb, &v),
	    MJ_OK);
	CHECK_INT(v.n, 1);
	CHECK_STR(v.body[0], "xyz");
	memset(&v, 0, sizeof(v));
	CHECK_INT(store_hd_messages(st, fx[C].id, 0, 1, msgs_cb, &v), MJ_OK);
	CHECK_INT(v.n, 1);
	CHECK_STR(v.body[0], "abc");
	/* a question and its reply, with the SMS fields */
	memset(&v, 0, sizeof(v));
	CHECK_INT(store_hd_messages(st, fx[A].id, 0, 10, msgs_cb, &v), MJ_OK);
	CHECK_INT(v.n, 2);
	CHECK_STR(v.dir[0], "in");
	CHECK_STR(v.dir[1], "out");
	CHECK_STR(v.body[1], "Assalomu alaykum");
	CHECK_STR(v.delivery[1], "sync");
	CHECK_STR(v.encoding[1], "gsm7");
	CHECK_INT(v.segments[1], 1);
	memset(&v, 0, sizeof(v));
	CHECK_INT(store_hd_messages(st, 999999, 0, 10, msgs_cb, &v), MJ_OK);
	CHECK_INT(v.n, 0);

	CHECK_INT(store_hd_head(st, fx[F].id, &h), MJ_OK);
	CHECK_STR(h.channel, "telegram");
	CHECK_STR(h.address, "1006");
	CHECK_STR(h.lang, "uz-Latn");	/* the contact's, as created */
	CHECK_STR(h.held_by, "aziza");
	CHECK_INT(h.held_until, T0 + 5000);
	CHECK_STR(h.status, "open");
	CHECK_INT(h.last_at, T0 + 70);
	CHECK_INT(store_hd_head(st, fx[E].id, &h), MJ_OK);
	CHECK_STR(h.status, "resolved");
	CHECK_STR(h.resolved_by, "aziza");
	CHECK_INT(h.resolved_at, T0 + 80);
	CHECK_INT(store_hd_head(st, 999999, &h), MJ_ENOTFOUND);

	/* takeover: someone else's hold needs force */
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_hd_holder(st, fx[F].id, T0 + 100, who, sizeof(who)),
	    MJ_OK);
	CHECK_STR(who, "aziza");
	CHECK_INT(store_hd_holder(st, fx[F].id, T0 + 5000, who, sizeof(who)),
	    MJ_OK);
	CHECK_STR(who, "");		/* the hold ran out */
	CHECK_INT(store_hd_holder(st, 999999, T0 + 100, who, sizeof(who)),
	    MJ_ENOTFOUND);
	CHECK_INT(store_hd_take(st, fx[F].id, "bobur", T0 + 6000, 0, T0 + 100,
	    &conflict, who, sizeof(who)), MJ_OK);
	CHECK_INT(conflict, 1);
	CHECK_STR(who, "aziza");
	CHECK_INT(store_hd_release(st, fx[F].id, "bobur", 0, T0 + 100,
	    &conflict), MJ_OK);
	CHECK_INT(conflict, 1);
	CHECK_INT(store_hd_take(st, fx[F].id, "bobur", T0 + 6000, 1, T0 + 100,
	    &conflict, who, sizeof(who)), MJ_OK);
	CHECK_INT(conflict, 0);
	CHECK_STR(who, "aziza");
	CHECK_INT(store_hd_take(st, 999999, "bobur", T0 + 6000, 1, T0 + 100,
	    &conflict, who, sizeof(who)), MJ_ENOTFOUND);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_hd_head(st, fx[F].id, &h), MJ_OK);
	CHECK_STR(h.held_by, "bobur");
	CHECK_INT(h.held_until, T0 + 6000);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_hd_release(st, fx[F].id, "bobur", 0, T0 + 101,
	    &conflict), MJ_OK);
	CHECK_INT(conflict, 0);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_hd_head(st, fx[F].id, &h), MJ_OK);
	CHECK_STR(h.held_by, "");

	/* notes and labels */
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_hd_note_add(st, fx[C].id, aziza_id, "qayta qo'ng'iroq",
	    T0 + 110, &note_id), MJ_OK);
	CHECK(note_id > 0);
	CHECK_INT(store_hd_note_add(st, fx[C].id, aziza_id, "hal qilindi",
	    T0 + 120, NULL), MJ_OK);
	CHECK_INT(store_hd_labels_set(st, fx[C].id, labels, 3), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	memset(&s, 0, sizeof(s));
	CHECK_INT(store_hd_notes(st, fx[C].id, note_cb, &s), MJ_OK);
	CHECK_INT(s.n, 2);
	CHECK_STR(s.s[0], "aziza: qayta qo'ng'iroq");
	CHECK_STR(s.s[1], "aziza: hal qilindi");
	memset(&s, 0, sizeof(s));
	CHECK_INT(store_hd_labels(st, fx[C].id, label_cb, &s), MJ_OK);
	CHECK_INT(s.n, 2);		/* sorted, each once */
	CHECK_STR(s.s[0], "urgent");
	CHECK_STR(s.s[1], "vip");
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_hd_labels_set(st, fx[C].id, labels + 1, 1), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	memset(&s, 0, sizeof(s));
	CHECK_INT(store_hd_labels(st, fx[C].id, label_cb, &s), MJ_OK);
	CHECK_INT(s.n, 1);
	CHECK_STR(s.s[0], "urgent");
}

/* ---- the dashboard */

struct stats_seen {
	int	n;
	char	k1[8][32], k2[8][32];
	int64_t	v[8][4];
};

static int
stats_cb(void *arg, const struct hd_stat *s)
{
	struct stats_seen	*v = arg;
	int			 i = v->n;

	if (i < 8) {
		snprintf(v->k1[i], sizeof(v->k1[i]), "%s", s->k1 ? s->k1 : "");
		snprintf(v->k2[i], sizeof(v->k2[i]), "%s", s->k2 ? s->k2 : "");
		memcpy(v->v[i], s->v, sizeof(s->v));
	}
	v->n++;
	return 0;
}

static void
test_dashboard(struct store *st)
{
	struct stats_seen	v;

	/* per Tashkent day and channel: in, out, SMS segments out, failed */
	memset(&v, 0, sizeof(v));
	CHECK_INT(store_hd_stats(st, HD_STAT_DAYS, T0, T0 + 100, stats_cb,
	    &v), MJ_OK);
	CHECK_INT(v.n, 2);
	CHECK_STR(v.k1[0], "2025-06-15");
	CHECK_STR(v.k2[0], "sms");
	CHECK_INT(v.v[0][0], 4);
	CHECK_INT(v.v[0][1], 1);
	CHECK_INT(v.v[0][2], 1);
	CHECK_INT(v.v[0][3], 0);
	CHECK_STR(v.k1[1], "2025-06-15");
	CHECK_STR(v.k2[1], "telegram");
	CHECK_INT(v.v[1][0], 3);
	CHECK_INT(v.v[1][1], 1);
	CHECK_INT(v.v[1][2], 0);
	CHECK_INT(v.v[1][3], 1);
	/* [from, to) cuts: only what came before T0 + 30 */
	memset(&v, 0, sizeof(v));
	CHECK_INT(store_hd_stats(st, HD_STAT_DAYS, T0, T0 + 30, stats_cb, &v),
	    MJ_OK);
	CHECK_INT(v.n, 2);
	CHECK_INT(v.v[0][0] + v.v[1][0], 2);
	CHECK_INT(v.v[0][1] + v.v[1][1], 2);
	/* inbound intents, the most frequent first */
	memset(&v, 0, sizeof(v));
	CHECK_INT(store_hd_stats(st, HD_STAT_INTENTS, T0, T0 + 100, stats_cb,
	    &v), MJ_OK);
	CHECK_INT(v.n, 5);
	CHECK_STR(v.k1[0], "unknown");
	CHECK_INT(v.v[0][0], 3);
	CHECK_INT(v.v[1][0], 1);
	memset(&v, 0, sizeof(v));
	CHECK_INT(store_hd_stats(st, HD_STAT_DAYS, T0 + 1000, T0 + 2000,
	    stats_cb, &v), MJ_OK);
	CHECK_INT(v.n, 0);
}

/* A writer's transaction, held until the reader says it is done. */
struct hold {
	struct store	*st;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 held, done, waited_out;
};

static void *
hold_writer(void *arg)
{
	struct hold	*h = arg;
	struct timespec	 until;

	CHECK_INT(store_begin(h->st), MJ_OK);
	pthread_mutex_lock(&h->mu);
	h->held = 1;
	pthread_cond_broadcast(&h->cv);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	while (!h->done && !h->waited_out)
		if (pthread_cond_timedwait(&h->cv, &h->mu, &until) != 0)
			h->waited_out = 1;
	pthread_mutex_unlock(&h->mu);
	store_end(h->st, 0);
	return NULL;
}

/*
 * The help desk's reads on their own connections: the same answers, no
 * wait while the writer holds its transaction, and a query over its time
 * limit stops.
 */
static void
test_readers(const char *path)
{
	struct store	*st, *r;
	struct hold	 h = { .mu = PTHREAD_MUTEX_INITIALIZER,
	    .cv = PTHREAD_COND_INITIALIZER };
	pthread_t	 th;
	sqlite3_stmt	*q;

	CHECK_INT(store_open(&st, path), MJ_OK);
	CHECK_INT(store_open_readers(st, 2, 0), MJ_OK);
	CHECK_INT((int)st->nreaders, 2);
	CHECK(store_reader(st) != st);
	CHECK_INT(store_open_readers(st, 2, 0), MJ_EINPUT);
	test_dashboard(st);		/* the same answers, from a reader */
	test_dashboard(st);		/* and from the other */

	h.st = st;
	pthread_create(&th, NULL, hold_writer, &h);
	pthread_mutex_lock(&h.mu);
	while (!h.held)
		pthread_cond_wait(&h.cv, &h.mu);
	pthread_mutex_unlock(&h.mu);
	test_dashboard(st);		/* would wait 5 s for the writer */
	pthread_mutex_lock(&h.mu);
	h.done = 1;
	pthread_cond_broadcast(&h.cv);
	pthread_mutex_unlock(&h.mu);
	pthread_join(th, NULL);
	CHECK_INT(h.waited_out, 0);

	store_close(st);

	/*
	 * a query over the limit stops: SQLITE_INTERRUPT, or PostgreSQL's
	 * statement_timeout
	 */
	CHECK_INT(store_open(&st, path), MJ_OK);
	CHECK_INT(store_open_readers(st, 1, 50), MJ_OK);
	r = store_reader(st);
	CHECK(r != st);
	if (test_pg()) {
		PGresult	*res;

		pg_lock(r);
		res = pg_exec(r, "test", "WITH RECURSIVE c(x) AS (SELECT 1 "
		    "UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
		    NULL);
		CHECK(res == NULL);
		PQclear(res);
		pg_unlock(r);
		test_dashboard(st);
		store_close(st);
		return;
	}
	q = lock_stmt(r, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
	    "SELECT x + 1 FROM c) SELECT count(*) FROM c");
	CHECK(q != NULL);
	if (q != NULL) {
		CHECK_INT(sqlite3_step(q), SQLITE_INTERRUPT);
		done(q);
		pthread_mutex_unlock(&r->lock);
	}
	test_dashboard(st);		/* short queries still answer */
	store_close(st);
}

/* ---- search: a contact's own phone; the citizens' words, or all */

/* One contact of the search fixture and its messages. */
static int64_t
search_contact(struct store *st, const char *channel, const char *address,
    const char *phone, const char *const *texts, int64_t at)
{
	struct contact	k;
	int64_t		id = 0;

	CHECK_INT(store_contact_get(st, channel, address, at, &k), MJ_OK);
	if (phone != NULL) {
		snprintf(k.phone, sizeof(k.phone), "%s", phone);
		CHECK_INT(store_contact_save(st, &k, at), MJ_OK);
	}
	/* odd entries are the replies, sent to the contact */
	for (int i = 0; texts[i] != NULL; i++) {
		struct msg_row	m = { .contact_id = k.id, .direction = i % 2 ?
		    "out" : "in", .channel = channel, .req = "r",
		    .body = texts[i], .lang = "uz-Latn", .intent = "status",
		    .delivery = i % 2 ? "sync" : "received",
		    .created_at = at + i };

		CHECK_INT(store_msg_add(st, &m, &id), MJ_OK);
	}
	return k.id;
}

/* The contacts a search finds, newest first, as "id id ..." in out. */
static int
search_ids(struct store *st, const struct hd_filter *f, char *out,
    size_t len)
{
	struct inbox_seen	v;
	int			more = 0;
	size_t			o = 0;

	memset(&v, 0, sizeof(v));
	out[0] = '\0';
	if (store_hd_inbox(st, f, inbox_cb, &v, &more) != MJ_OK)
		return -1;
	for (int i = 0; i < v.n && i < 16 && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%lld",
		    i > 0 ? " " : "", (long long)v.id[i]);
	return v.n;
}

static void
test_search(const char *dir)
{
	/* every usual writing of one number, as staff type it */
	static const char *const forms[] = { "998901234567", "+998901234567",
	    "90 123 45 67", "901234567", "+998 90 123-45-67",
	    "(90) 123-45-67", "+998 (90) 123 45 67", "00998901234567" };
	static const char *const not_phones[] = { "1234567", "+7 901 234 56 78",
	    "9989012345678", "90 123 45 6", "salom 901234567", "AB1234567",
	    "" };
	static const char *const own[] = { "arizam qayerda AR-2025-004512",
	    "Ariza raqamini yuboring, masalan: AR-2025-000001.", "rahmat",
	    "Arzimaydi, savollar uchun 1234567", NULL };
	static const char *const other[] = {
	    "akamning raqami +998 90 123 45 67 va 901234567",
	    "Arizangiz qabul qilindi",
	    NULL };
	static const char *const tg[] = { "salom", "Assalomu alaykum", NULL };
	static const char *const quiet[] = { NULL };
	char		 path[160], e[20], got[128], want[64], url[512];
	struct store	*st;
	struct hd_filter f;
	int64_t		 g, h, t, q;
	int		 n;

	snprintf(path, sizeof(path), "%s/search.db", dir);
	CHECK_INT(store_open(&st, test_store_target(url, sizeof(url), path)),
	    MJ_OK);
	CHECK_INT(store_begin(st), MJ_OK);
	g = search_contact(st, "sms", "+998901234567", NULL, own, T0);
	h = search_contact(st, "sms", "+998907777777", NULL, other, T0 + 10);
	/* Telegram: the address is a chat; the number is the verified one */
	t = search_contact(st, "telegram", "5005", "+998935550011", tg,
	    T0 + 20);
	/* a contact with the number but no message: no conversation */
	q = search_contact(st, "sms", "+998935550022", NULL, quiet, T0 + 30);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_index_pending(st, 1000, &n), MJ_OK);
	CHECK_INT(n, 8);
	CHECK(q > t);

	/* the number in every writing finds its contact, and only it */
	snprintf(want, sizeof(want), "%lld", (long long)g);
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		CHECK_INT(phone_uz(forms[i], e, sizeof(e)), 0);
		CHECK_STR(e, "+998901234567");
		f = (struct hd_filter){ .limit = 10, .now = NOW, .phone = e };
		CHECK_INT(search_ids(st, &f, got, sizeof(got)), 1);
		CHECK_STR(got, want);
	}
	for (size_t i = 0; i < sizeof(not_phones) / sizeof(not_phones[0]);
	    i++)
		CHECK_INT(phone_uz(not_phones[i], e, sizeof(e)), -1);
	/* h wrote g's number twice: found by its own number alone */
	snprintf(want, sizeof(want), "%lld", (long long)h);
	f = (struct hd_filter){ .limit = 10, .now = NOW,
	    .phone = "+998907777777" };
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 1);
	CHECK_STR(got, want);
	/* ... and the number inside its text is masked out of the words */
	f = (struct hd_filter){ .limit = 10, .now = NOW, .q = "\"901234567\"",
	    .replies = 1 };
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 0);
	/* the verified phone of a Telegram contact */
	snprintf(want, sizeof(want), "%lld", (long long)t);
	f = (struct hd_filter){ .limit = 10, .now = NOW,
	    .phone = "+998935550011" };
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 1);
	CHECK_STR(got, want);
	/* nobody's number, and a contact without a conversation */
	f.phone = "+998935550099";
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 0);
	f.phone = "+998935550022";
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 0);
	/* a phone with the other filters: the list's own */
	f = (struct hd_filter){ .limit = 10, .now = NOW,
	    .phone = "+998901234567", .channel = "telegram" };
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 0);
	f = (struct hd_filter){ .limit = 10, .now = NOW,
	    .phone = "+998901234567", .status = HD_OPEN, .from = T0,
	    .to = T0 + 100 };
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 1);
	/* a phone and words at once is the caller's mistake */
	f.q = "\"salom\"*";
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), -1);

	/* words: the citizens' messages by default ... */
	f = (struct hd_filter){ .limit = 10, .now = NOW,
	    .q = "\"AR-2025-000001\"*" };
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 0);
	f.q = "\"AR-2025-004512\"*";
	snprintf(want, sizeof(want), "%lld", (long long)g);
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 1);
	CHECK_STR(got, want);
	f.q = "\"assalomu\"*";
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 0);
	f.q = "\"salom\"*";
	snprintf(want, sizeof(want), "%lld", (long long)t);
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 1);
	CHECK_STR(got, want);
	/* ... the replies too when asked */
	f = (struct hd_filter){ .limit = 10, .now = NOW,
	    .q = "\"AR-2025-000001\"*", .replies = 1 };
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 1);
	snprintf(want, sizeof(want), "%lld", (long long)g);
	CHECK_STR(got, want);
	f.q = "\"assalomu\"*";
	snprintf(want, sizeof(want), "%lld", (long long)t);
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 1);
	CHECK_STR(got, want);
	/* a word both wrote: every conversation once, newest first */
	f.q = "\"ar\"*";
	snprintf(want, sizeof(want), "%lld %lld", (long long)h, (long long)g);
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 2);
	CHECK_STR(got, want);
	f.replies = 0;
	snprintf(want, sizeof(want), "%lld", (long long)g);
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 1);
	CHECK_STR(got, want);
	/* identifiers: in the citizens' messages, the replies' when asked */
	f = (struct hd_filter){ .limit = 10, .now = NOW, .ids = 1,
	    .q = "\"998901234567\"*" };
	snprintf(want, sizeof(want), "%lld", (long long)h);
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 1);
	CHECK_STR(got, want);
	f.q = "\"901234567\"";
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 1);
	CHECK_STR(got, want);
	f.q = "\"1234567\"*";
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 0);
	f.replies = 1;
	snprintf(want, sizeof(want), "%lld", (long long)g);
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), 1);
	CHECK_STR(got, want);
	store_close(st);
	unlink(path);
	snprintf(path, sizeof(path), "%s/search.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/search.db-shm", dir);
	unlink(path);
}

/*
 * Words as FTS5 cuts them, on either backend: letters of every script
 * folded to lower case, a modifier letter (ʻ) inside a word, punctuation
 * between words, a quoted phrase in order, prefixes, OR, NOT, AND, and a
 * phrase without a word (which matches nothing alone and is left out of
 * AND and OR).
 */
static void
test_search_words(const char *dir)
{
	static const char *const texts[] = {
	    "O\xCA\xBBg\xCA\xBBlim uchun nafaqa-pul kerak, Çok!",
	    "\xD0\x90\xD1\x80\xD0\xB8\xD0\xB7\xD0\xB0 "
	    "\xD2\x9B\xD0\xB0\xD0\xB1\xD1\x83\xD0\xBB "
	    "\xD2\x9B\xD0\xB8\xD0\xBB\xD0\xB8\xD0\xBD\xD0\xB4\xD0\xB8",
	    NULL };
	static const struct {
		const char	*q;
		int		 replies, want;
	} cases[] = {
		{ "\"o\xCA\xBBg\xCA\xBBlim\"*", 0, 1 },
		{ "\"o\xCA\xBBg\"*", 0, 1 },
		{ "\"g\"", 0, 0 },
		{ "\"nafaqa-pul\"*", 0, 1 },
		{ "\"nafaqa pul\"", 0, 1 },
		{ "\"pul-nafaqa\"", 0, 0 },
		{ "\"nafaqa kerak\"", 0, 0 },
		{ "\"cok\"", 0, 1 },
		{ "\"COK\"*", 0, 1 },
		{ "\"\xD0\xB0\xD1\x80\xD0\xB8\xD0\xB7\"*", 0, 0 },
		{ "\"\xD0\xB0\xD1\x80\xD0\xB8\xD0\xB7\"*", 1, 1 },
		{ "\"\xD2\x9A\xD0\x90\xD0\x91\xD0\xA3\xD0\x9B\"", 1, 1 },
		{ "\"\xE2\x80\x94\"*", 1, 0 },
		{ "\"\xE2\x80\x94\"* \"uchun\"*", 0, 1 },
		{ "\"\xE2\x80\x94\"* OR \"uchun\"*", 0, 1 },
		{ "\"xyz\" OR \"kera\"*", 0, 1 },
		{ "\"xyz\" OR \"abc\"*", 0, 0 },
		{ "uchun AND kerak", 0, 1 },
		{ "uchun AND xyz", 0, 0 },
		{ "nafaqa NOT kerak", 0, 0 },
		{ "nafaqa NOT xyz", 0, 1 },
		{ "(xyz OR uchun) AND kerak", 0, 1 },
		{ "(xyz OR uchun) kerak", 0, -1 },
		{ "kerak (xyz OR uchun)", 0, -1 },
		{ "nafaqa NOT xyz kerak", 0, 1 },
		{ "xyz kerak OR uchun", 0, 1 },
	};
	char		 path[160], url[512], got[128];
	struct store	*st;
	struct hd_filter f;
	int		 n;

	snprintf(path, sizeof(path), "%s/words.db", dir);
	CHECK_INT(store_open(&st, test_store_target(url, sizeof(url), path)),
	    MJ_OK);
	CHECK_INT(store_begin(st), MJ_OK);
	search_contact(st, "telegram", "7007", NULL, texts, T0);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_index_pending(st, 1000, &n), MJ_OK);
	CHECK_INT(n, 2);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = (struct hd_filter){ .limit = 10, .now = NOW,
		    .q = cases[i].q, .replies = cases[i].replies };
		n = search_ids(st, &f, got, sizeof(got));
		if (n != cases[i].want)
			fprintf(stderr, "search case %zu (%s): %d, want "
			    "%d\n", i, cases[i].q, n, cases[i].want);
		CHECK_INT(n, cases[i].want);
	}
	/* not a query: the caller's mistake */
	f = (struct hd_filter){ .limit = 10, .now = NOW, .q = "\"open" };
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), -1);
	f.q = "uchun ()";
	CHECK_INT(search_ids(st, &f, got, sizeof(got)), -1);
	store_close(st);
	unlink(path);
	snprintf(path, sizeof(path), "%s/words.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/words.db-shm", dir);
	unlink(path);
}

/* ---- two nodes on one PostgreSQL database */

enum { CONTACTS = 20, ROUNDS = 10, PER = 3 };

struct node_run {
	struct store	*st;
	int		 total;
	enum mj_err	 rc;
	int		 here;		/* writes, indexing its own batches */
	volatile int	*stop;		/* the writer is done */
};

/* ROUNDS transactions of PER messages to each of CONTACTS contacts. */
static void
node_write(struct node_run *r, int64_t t)
{
	struct contact	k;
	char		addr[32];
	int64_t		id;
	int		n;

	for (int round = 0; round < ROUNDS; round++) {
		CHECK_INT(store_begin(r->st), MJ_OK);
		for (int c = 0; c < CONTACTS; c++) {
			snprintf(addr, sizeof(addr), "+9989000%05d", c);
			CHECK_INT(store_contact_get(r->st, "sms", addr, t, &k),
			    MJ_OK);
			for (int j = 0; j < PER; j++) {
				struct msg_row	m = { .contact_id = k.id,
				    .direction = j == 1 ? "out" : "in",
				    .channel = "sms", .req = "r",
				    .body = j == 1 ? "javob" : "savol raqam",
				    .lang = "uz-Latn",
				    .intent = j == 2 ? "unknown" : "status",
				    .delivery = "received",
				    .created_at = t + round * 10 + j };

				CHECK_INT(store_msg_add(r->st, &m, &id), MJ_OK);
			}
		}
		/* the group commit's own batch; a failure is left queued */
		if (r->here && store_index_here(r->st, 2000, &n) == MJ_OK)
			r->total += n;
		CHECK_INT(store_end(r->st, 1), MJ_OK);
	}
}

/* A node's indexer: small batches until it finds nothing left. */
static void *
node_index(void *arg)
{
	struct node_run	*r = arg;
	int		 n = 0, last;

	if (r->here) {
		node_write(r, T0 + 1000);
		*r->stop = 1;
		return NULL;
	}
	do {
		last = r->stop == NULL || *r->stop;
		if ((r->rc = store_index_pending(r->st, 7, &n)) == MJ_OK)
			r->total += n;
	} while (r->rc == MJ_OK && (n > 0 || !last));
	return NULL;
}

/* What both nodes' indexing left: each of total messages indexed once. */
static void
nodes_check(const char *url, int total)
{
	char	q[160];

	CHECK_INT(scalar(url, "SELECT count(*) FROM index_queue"), 0);
	CHECK_INT(scalar(url, "SELECT count(*) FROM message_search"), total);
	CHECK_INT(scalar(url, "SELECT count(*) FROM message_search s JOIN "
	    "messages m ON m.id = s.message_id AND m.contact_id = "
	    "s.contact_id"), total);
	CHECK_INT(scalar(url, "SELECT count(*) FROM conversations"), CONTACTS);
	snprintf(q, sizeof(q), "SELECT count(*) FROM conversations WHERE "
	    "msgs = %d", total / CONTACTS);
	CHECK_INT(scalar(url, q), CONTACTS);
	CHECK_INT(scalar(url, "SELECT count(*) FROM conversations c WHERE "
	    "last_msg_id = (SELECT max(id) FROM messages WHERE contact_id = "
	    "c.contact_id)"), CONTACTS);
}

/*
 * Two stores on one URL stand for two nodes.  Both indexers on the same
 * queue at once: each message is indexed once (one search row each,
 * every conversation's count whole), and a listing on either sees them
 * all.  Then one node's group commits index their own batches while the
 * other's indexer runs: still each message once.
 */
static void
test_two_nodes(void)
{
	char		 url[512];
	struct store	*a, *b;
	struct node_run	 ra = { 0 }, rb = { 0 };
	pthread_t	 ta, tb;
	struct hd_filter f;
	struct inbox_seen v;
	volatile int	 stop = 0;
	int		 more, n;

	test_store_target(url, sizeof(url), "");
	CHECK_INT(store_open(&a, url), MJ_OK);
	CHECK_INT(store_open(&b, url), MJ_OK);
	ra.st = a;
	node_write(&ra, T0);
	rb.st = b;
	pthread_create(&ta, NULL, node_index, &ra);
	pthread_create(&tb, NULL, node_index, &rb);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK_INT(ra.rc, MJ_OK);
	CHECK_INT(rb.rc, MJ_OK);
	CHECK_INT(ra.total + rb.total, CONTACTS * ROUNDS * PER);
	nodes_check(url, CONTACTS * ROUNDS * PER);
	/* either node lists every conversation and finds the words */
	memset(&v, 0, sizeof(v));
	f = (struct hd_filter){ .limit = 50, .now = NOW };
	CHECK_INT(store_hd_inbox(b, &f, inbox_cb, &v, &more), MJ_OK);
	CHECK_INT(v.n, CONTACTS);
	memset(&v, 0, sizeof(v));
	f = (struct hd_filter){ .limit = 50, .now = NOW, .q = "\"raq\"*" };
	CHECK_INT(store_hd_inbox(a, &f, inbox_cb, &v, &more), MJ_OK);
	CHECK_INT(v.n, CONTACTS);
	CHECK_INT(store_index_pending(b, 1000, &n), MJ_OK);
	CHECK_INT(n, 0);

	/* a writer indexing its own batches beside the other's indexer */
	ra = (struct node_run){ .st = a, .here = 1, .stop = &stop };
	rb = (struct node_run){ .st = b, .stop = &stop };
	pthread_create(&ta, NULL, node_index, &ra);
	pthread_create(&tb, NULL, node_index, &rb);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK_INT(rb.rc, MJ_OK);
	CHECK_INT(store_index_pending(a, 1000, &n), MJ_OK);
	CHECK_INT(ra.total + rb.total + n, CONTACTS * ROUNDS * PER);
	nodes_check(url, 2 * CONTACTS * ROUNDS * PER);
	store_close(a);
	store_close(b);
}

int
main(void)
{
	char		 dir[] = "/tmp/helpdesk_store_testXXXXXX", file[128],
			 side[160], url[512];
	const char	*path;
	struct store	*st;
	int64_t		 aziza_id = 0, c_in1 = 0, c_in2 = 0;

	if (mkdtemp(dir) == NULL || sodium_init() < 0)
		return 2;
	snprintf(file, sizeof(file), "%s/hd.db", dir);
	path = test_store_target(url, sizeof(url), file);
	CHECK_INT(store_open(&st, path), MJ_OK);
	test_staff(st, path, &aziza_id);
	test_inbox(st, &c_in1, &c_in2);
	test_audit(st, path, aziza_id, fx[F].id);
	test_conversation(st, aziza_id, c_in1, c_in2);
	test_dashboard(st);
	store_close(st);
	test_readers(path);
	test_search(dir);
	test_search_words(dir);
	if (test_pg())
		test_two_nodes();
	unlink(file);
	snprintf(side, sizeof(side), "%s-wal", file);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", file);
	unlink(side);
	rmdir(dir);
	return check_done("helpdesk_store_test");
}
