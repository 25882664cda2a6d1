/*
 * staff_test.c - gateway/staff.c over a real store in a fresh folder:
 * accounts (names, roles, password lengths), argon2id hashes, login and
 * the session it opens (only the token's SHA-256 stored), the CSRF check,
 * throttled logins, a disabled account, a changed password, expiry and
 * logout, and the audit rows they leave; changes made by a signed-in
 * admin (audited with their name, request and address, the refusals told
 * apart, never leaving no enabled admin) and generated passwords.  On
 * PostgreSQL (MUROJAAT_TEST_PG) also what two nodes on one database do at
 * once: a name taken in any case, the last admin, a login key's count,
 * sessions seen from either node.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>

#include "base/conf.h"
#include "check.h"
#include "pgtest.h"
#include "gateway/staff.h"
#include "store/helpdesk.h"
#include "store/store.h"

#define PW	"correct horse battery"
#define IP	"192.0.2.10"

static char	db_path[300];

/* One integer from a query, on a connection of its own; -1 if none. */
static long long
scalar(const char *q)
{
	sqlite3		*db;
	sqlite3_stmt	*st = NULL;
	long long	 v = -1;

	if (test_pg()) {
		PGconn		*c = PQconnectdb(db_path);
		PGresult	*r = PQexec(c, q);

		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
			v = PQgetisnull(r, 0, 0) ? 0 :
			    strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		else if (PQresultStatus(r) != PGRES_TUPLES_OK)
			fprintf(stderr, "scalar: %s", PQerrorMessage(c));
		PQclear(r);
		PQfinish(c);
		return v;
	}
	if (sqlite3_open(db_path, &db) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static int
all_hex(const char *s, size_t want)
{
	if (strlen(s) != want)
		return 0;
	for (; *s != '\0'; s++)
		if (strchr("0123456789abcdef", *s) == NULL)
			return 0;
	return 1;
}

static void
test_accounts(struct store *st)
{
	char		why[200], hash[crypto_pwhash_STRBYTES];
	struct hd_staff	sf;

	CHECK_INT(staff_role_parse("agent"), STAFF_AGENT);
	CHECK_INT(staff_role_parse("supervisor"), STAFF_SUPERVISOR);
	CHECK_INT(staff_role_parse("admin"), STAFF_ADMIN);
	CHECK_INT(staff_role_parse("root"), -1);
	CHECK_INT(staff_role_parse(NULL), -1);
	CHECK_STR(staff_role_name(STAFF_SUPERVISOR), "supervisor");

	CHECK_INT(staff_add(st, "A", "agent", PW, 100, why, sizeof(why)),
	    MJ_EINPUT);
	CHECK(strstr(why, "2-32 characters") != NULL);
	CHECK_INT(staff_add(st, "Agent1", "agent", PW, 100, why, sizeof(why)),
	    MJ_EINPUT);
	CHECK_INT(staff_add(st, "agent1", "root", PW, 100, why, sizeof(why)),
	    MJ_EINPUT);
	CHECK_STR(why, "the role must be agent, supervisor or admin");
	CHECK_INT(staff_add(st, "agent1", "agent", "short", 100, why,
	    sizeof(why)), MJ_EINPUT);
	CHECK_STR(why, "the password must be 10 to 1024 bytes");
	CHECK_INT(scalar("SELECT count(*) FROM staff"), 0);

	CHECK_INT(staff_add(st, "agent1", "agent", PW, 100, why, sizeof(why)),
	    MJ_OK);
	CHECK_STR(why, "");
	CHECK_INT(staff_add(st, "agent1", "admin", PW, 101, why, sizeof(why)),
	    MJ_EINPUT);
	CHECK_STR(why, "the name agent1 is taken");
	CHECK_INT(staff_add(st, "boss", "supervisor", PW "!", 102, why,
	    sizeof(why)), MJ_OK);
	CHECK_INT(scalar("SELECT count(*) FROM staff"), 2);
	CHECK_INT(scalar("SELECT count(*) FROM audit WHERE action = "
	    "'staff.add'"), 2);

	/* Only an argon2id hash is kept, and it verifies the password. */
	CHECK_INT(store_staff_get(st, "agent1", &sf, hash, sizeof(hash)),
	    MJ_OK);
	CHECK_STR(sf.role, "agent");
	CHECK_INT(sf.disabled, 0);
	CHECK_INT(strncmp(hash, "$argon2id$", 10), 0);
	CHECK(strstr(hash, PW) == NULL);
	CHECK_INT(crypto_pwhash_str_verify(hash, PW, strlen(PW)), 0);
	CHECK(crypto_pwhash_str_verify(hash, PW "x", strlen(PW) + 1) != 0);
}

static void
test_sessions(struct store *st, const struct conf *c)
{
	char			 token[STAFF_TOKEN_LEN + 1], q[300], csrf[80];
	unsigned char		 h[crypto_hash_sha256_BYTES];
	char			 th[STAFF_TOKEN_LEN + 1];
	struct staff_session	 who, s2;
	enum staff_login	 res;
	int64_t			 retry;

	CHECK_INT(staff_login(st, c, "agent1", PW, IP, "req1", 1000, token,
	    &who, &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_OK);
	CHECK_INT(retry, 0);
	CHECK(all_hex(token, STAFF_TOKEN_LEN));
	CHECK(all_hex(who.csrf, STAFF_TOKEN_LEN));
	CHECK(strcmp(token, who.csrf) != 0);
	CHECK_STR(who.username, "agent1");
	CHECK_INT(who.role, STAFF_AGENT);
	CHECK(who.staff_id > 0);

	/* The store holds the token's SHA-256, never the token. */
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(th, sizeof(th), h, sizeof(h));
	snprintf(q, sizeof(q), "SELECT count(*) FROM sessions WHERE "
	    "token_hash = '%s'", token);
	CHECK_INT(scalar(q), 0);
	snprintf(q, sizeof(q), "SELECT expires_at FROM sessions WHERE "
	    "token_hash = '%s'", th);
	CHECK_INT(scalar(q), 1000 + c->auth_session_ttl_s);

	/* The cookie finds the session, with the same CSRF token. */
	CHECK_INT(staff_session(st, token, 1001, &s2), MJ_OK);
	CHECK_INT(s2.staff_id, who.staff_id);
	CHECK_STR(s2.username, "agent1");
	CHECK_INT(s2.role, STAFF_AGENT);
	CHECK_STR(s2.csrf, who.csrf);
	CHECK_INT(staff_session(st, NULL, 1001, &s2), MJ_ENOTFOUND);
	CHECK_INT(staff_session(st, "abc", 1001, &s2), MJ_ENOTFOUND);
	CHECK_INT(staff_session(st, th, 1001, &s2), MJ_ENOTFOUND);
	CHECK_INT(staff_session(st, token, 1000 + c->auth_session_ttl_s + 1,
	    &s2), MJ_ENOTFOUND);

	/* CSRF: the session's own token, whole, and nothing else. */
	CHECK_INT(staff_csrf_ok(&who, who.csrf), 1);
	snprintf(csrf, sizeof(csrf), "%s", who.csrf);
	csrf[10] = csrf[10] == 'a' ? 'b' : 'a';
	CHECK_INT(staff_csrf_ok(&who, csrf), 0);
	csrf[10] = who.csrf[10];
	csrf[STAFF_TOKEN_LEN - 1] = '\0';
	CHECK_INT(staff_csrf_ok(&who, csrf), 0);
	CHECK_INT(staff_csrf_ok(&who, NULL), 0);
	CHECK_INT(staff_csrf_ok(&who, ""), 0);
	CHECK_INT(staff_csrf_ok(&who, token), 0);

	/* A wrong password and an unknown name: the same refusal. */
	CHECK_INT(staff_login(st, c, "agent1", "wrong password!", IP, "req2",
	    1002, token, &s2, &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_BAD);
	CHECK_STR(token, "");
	CHECK_INT(s2.staff_id, 0);
	CHECK_INT(staff_login(st, c, "nobody", PW, IP, "req3", 1003, token,
	    &s2, &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_BAD);
	CHECK_INT(scalar("SELECT count(*) FROM audit WHERE action = "
	    "'login.fail' AND ip = '" IP "'"), 2);
	CHECK_INT(scalar("SELECT count(*) FROM audit WHERE action = 'login' "
	    "AND req = 'req1'"), 1);

	/* Logout ends the session and is audited. */
	CHECK_INT(staff_login(st, c, "agent1", PW, IP, "req4", 1004, token,
	    &who, &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_OK);
	CHECK_INT(staff_logout(st, token, &who, IP, "req5", 1005), MJ_OK);
	CHECK_INT(staff_session(st, token, 1006, &s2), MJ_ENOTFOUND);
	CHECK_INT(scalar("SELECT count(*) FROM audit WHERE action = "
	    "'logout' AND req = 'req5'"), 1);
}

/* A disabled account: its sessions end and the right password is refused. */
static void
test_disabled(struct store *st, const struct conf *c)
{
	char			 token[STAFF_TOKEN_LEN + 1], why[200];
	struct staff_session	 who, s2;
	enum staff_login	 res;
	int64_t			 retry;

	CHECK_INT(staff_login(st, c, "boss", PW "!", IP, "r1", 2000, token,
	    &who, &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_OK);
	CHECK_INT(who.role, STAFF_SUPERVISOR);
	CHECK_INT(staff_change(st, "boss", STAFF_DISABLE, NULL, 2001, why,
	    sizeof(why)), MJ_OK);
	CHECK_INT(staff_session(st, token, 2002, &s2), MJ_ENOTFOUND);
	CHECK_INT(staff_login(st, c, "boss", PW "!", IP, "r2", 2003, token,
	    &s2, &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_BAD);
	CHECK_STR(token, "");
	CHECK_INT(scalar("SELECT disabled FROM staff WHERE username = "
	    "'boss'"), 1);

	CHECK_INT(staff_change(st, "boss", STAFF_ENABLE, NULL, 2004, why,
	    sizeof(why)), MJ_OK);
	CHECK_INT(staff_login(st, c, "boss", PW "!", IP, "r3", 2005, token,
	    &who, &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_OK);

	/* A new password ends the sessions; only the new one logs in. */
	CHECK_INT(staff_change(st, "boss", STAFF_PASSWORD, "short", 2006, why,
	    sizeof(why)), MJ_EINPUT);
	CHECK_INT(staff_change(st, "boss", STAFF_PASSWORD, "another long one",
	    2007, why, sizeof(why)), MJ_OK);
	CHECK_INT(staff_session(st, token, 2008, &s2), MJ_ENOTFOUND);
	CHECK_INT(staff_login(st, c, "boss", PW "!", IP, "r4", 2009, token,
	    &s2, &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_BAD);
	CHECK_INT(staff_login(st, c, "boss", "another long one", IP, "r5",
	    2010, token, &s2, &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_OK);
	CHECK_INT(staff_change(st, "nobody", STAFF_DISABLE, NULL, 2011, why,
	    sizeof(why)), MJ_ENOTFOUND);
	CHECK_STR(why, "no account is called nobody");
}

/* Past auth.login_max failures, even the right password waits. */
static void
test_throttle(struct store *st, const struct conf *c)
{
	char			 token[STAFF_TOKEN_LEN + 1], why[200];
	struct staff_session	 who;
	enum staff_login	 res;
	int64_t			 retry;

	CHECK_INT(staff_add(st, "agent2", "agent", PW, 3000, why,
	    sizeof(why)), MJ_OK);
	for (int i = 0; i < c->auth_login_max; i++) {
		CHECK_INT(staff_login(st, c, "agent2", "not the password", IP,
		    "t", 3001 + i, token, &who, &res, &retry), MJ_OK);
		CHECK_INT(res, STAFF_LOGIN_BAD);
	}
	CHECK_INT(staff_login(st, c, "agent2", PW, IP, "t", 3010, token, &who,
	    &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_LIMITED);
	CHECK_STR(token, "");
	CHECK_INT(retry, 3001 + c->auth_login_window_s - 3010);
	CHECK_INT(scalar("SELECT count(*) FROM audit WHERE action = "
	    "'login.limited' AND username = 'agent2'"), 1);
	/* The window over, the right password opens a session again. */
	CHECK_INT(staff_login(st, c, "agent2", PW, IP, "t",
	    3001 + c->auth_login_window_s, token, &who, &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_OK);
}

/* Changes by a signed-in admin, as the help desk makes them. */
static void
test_by_admin(struct store *st, const struct conf *c)
{
	char			 token[STAFF_TOKEN_LEN + 1], pw[STAFF_PW_NEW + 1];
	char			 pw2[STAFF_PW_NEW + 1], why[200];
	struct staff_by		 by = { .username = "root1", .req = "rq7",
	    .ip = IP, .keep_admin = 1 };
	struct staff_why	 w;
	struct staff_session	 who, s2;
	enum staff_login	 res;
	int64_t			 retry;

	CHECK_INT(staff_add(st, "root1", "admin", PW, 4000, why, sizeof(why)),
	    MJ_OK);
	by.staff_id = scalar("SELECT id FROM staff WHERE username = 'root1'");
	CHECK(by.staff_id > 0);

	/* Each refusal has its reason, and nothing is written. */
	CHECK_INT(staff_add_by(st, &by, "X y", "agent", PW, 4001, &w),
	    MJ_EINPUT);
	CHECK_INT(w.no, STAFF_BAD_NAME);
	CHECK_INT(staff_add_by(st, &by, "ops1", "god", PW, 4001, &w),
	    MJ_EINPUT);
	CHECK_INT(w.no, STAFF_BAD_ROLE);
	CHECK_INT(staff_add_by(st, &by, "ops1", "agent", "123456789", 4001,
	    &w), MJ_EINPUT);
	CHECK_INT(w.no, STAFF_BAD_PASSWORD);
	CHECK_STR(w.text, "the password must be 10 to 1024 bytes");
	CHECK_INT(staff_add_by(st, &by, "ops1", "agent", NULL, 4001, &w),
	    MJ_EINPUT);
	CHECK_INT(w.no, STAFF_BAD_PASSWORD);
	CHECK_INT(staff_add_by(st, &by, "agent1", "agent", PW, 4001, &w),
	    MJ_EINPUT);
	CHECK_INT(w.no, STAFF_TAKEN);
	CHECK_STR(w.text, "the name agent1 is taken");
	CHECK_INT(staff_change_by(st, &by, "nobody", STAFF_ENABLE, NULL, 4001,
	    &w), MJ_ENOTFOUND);
	CHECK_INT(w.no, STAFF_NO_ACCOUNT);
	CHECK_INT(scalar("SELECT count(*) FROM audit WHERE at = 4001"), 0);

	/* A generated password: 4 groups of 4, no look-alikes, each new. */
	staff_password_new(pw);
	staff_password_new(pw2);
	CHECK_INT((long long)strlen(pw), STAFF_PW_NEW);
	CHECK(strcmp(pw, pw2) != 0);
	CHECK(pw[4] == '-' && pw[9] == '-' && pw[14] == '-');
	CHECK_INT((long long)strcspn(pw, "0O1lI"), STAFF_PW_NEW);

	/* Added by the admin: audited with who, request and address. */
	CHECK_INT(staff_add_by(st, &by, "ops1", "agent", pw, 4002, &w), MJ_OK);
	CHECK_INT(w.no, STAFF_REFUSED_NOT);
	CHECK_INT(scalar("SELECT count(*) FROM audit WHERE action = "
	    "'staff.add' AND detail = 'ops1' AND username = 'root1' AND "
	    "req = 'rq7' AND ip = '" IP "' AND at = 4002 AND staff_id = "
	    "(SELECT id FROM staff WHERE username = 'root1')"), 1);
	CHECK_INT(staff_login(st, c, "ops1", pw, IP, "r", 4003, token, &who,
	    &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_OK);
	CHECK_INT(staff_change_by(st, &by, "OPS1", STAFF_ROLE, "supervisor",
	    4004, &w), MJ_OK);
	CHECK_INT(staff_session(st, token, 4005, &s2), MJ_ENOTFOUND);
	CHECK_INT(scalar("SELECT count(*) FROM audit WHERE action = "
	    "'staff.role' AND detail = 'ops1 supervisor' AND username = "
	    "'root1' AND req = 'rq7'"), 1);

	/* The only enabled admin can be neither disabled nor demoted... */
	CHECK_INT(staff_change_by(st, &by, "root1", STAFF_DISABLE, NULL, 4006,
	    &w), MJ_EINPUT);
	CHECK_INT(w.no, STAFF_LAST_ADMIN);
	CHECK_STR(w.text, "root1 is the last enabled admin: make another "
	    "admin first");
	CHECK_INT(staff_change_by(st, &by, "root1", STAFF_ROLE, "agent", 4006,
	    &w), MJ_EINPUT);
	CHECK_INT(w.no, STAFF_LAST_ADMIN);
	CHECK_INT(scalar("SELECT count(*) FROM staff WHERE username = 'root1' "
	    "AND role = 'admin' AND disabled = 0"), 1);
	CHECK_INT(scalar("SELECT count(*) FROM audit WHERE at = 4006"), 0);
	/* ...but may once another admin is enabled. */
	CHECK_INT(staff_change_by(st, &by, "ops1", STAFF_ROLE, "admin", 4007,
	    &w), MJ_OK);
	CHECK_INT(staff_change_by(st, &by, "root1", STAFF_ROLE, "agent", 4008,
	    &w), MJ_OK);
	CHECK_INT(scalar("SELECT count(*) FROM staff WHERE role = 'admin' "
	    "AND disabled = 0"), 1);
	/* A disabled admin does not count. */
	CHECK_INT(staff_change_by(st, &by, "ops1", STAFF_DISABLE, NULL, 4009,
	    &w), MJ_EINPUT);
	CHECK_INT(w.no, STAFF_LAST_ADMIN);
	/* The command line is not held back: it is how an admin is made. */
	CHECK_INT(staff_change(st, "ops1", STAFF_DISABLE, NULL, 4010, why,
	    sizeof(why)), MJ_OK);
	CHECK_INT(scalar("SELECT count(*) FROM audit WHERE action = "
	    "'staff.disable' AND detail = 'ops1' AND username = 'cli' AND "
	    "staff_id IS NULL"), 1);
}

/* A change or a check run by a second node while the first holds its own. */
struct other {
	struct store		*st;
	const struct staff_by	*by;
	enum mj_err		 rc;
	struct staff_why	 why;
	int			 failures;
	int			 done;
};

static void *
other_disable(void *arg)
{
	struct other	*o = arg;

	o->rc = staff_change_by(o->st, o->by, "adm2", STAFF_DISABLE, NULL,
	    5003, &o->why);
	__atomic_store_n(&o->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void *
other_check(void *arg)
{
	struct other	*o = arg;
	int64_t		 ws;

	if ((o->rc = store_begin(o->st)) == MJ_OK) {
		o->rc = store_login_failures(o->st, "user:shared", 5010, 600,
		    &o->failures, &ws);
		store_end(o->st, 0);
	}
	__atomic_store_n(&o->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void *
other_add(void *arg)
{
	struct other	*o = arg;

	if ((o->rc = store_begin(o->st)) == MJ_OK) {
		o->rc = store_staff_add(o->st, "ZED", "agent", "h", 5020);
		store_end(o->st, o->rc == MJ_OK);
	}
	__atomic_store_n(&o->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * PostgreSQL: two stores on one database stand for two nodes.  What one
 * node's open transaction holds, the other waits for, then sees.
 */
static void
test_nodes(struct store *st, const struct conf *c)
{
	char			 token[STAFF_TOKEN_LEN + 1], why[200], h[200];
	struct staff_by		 by = { .username = "adm1", .req = "rq9",
	    .ip = IP, .keep_admin = 1 };
	struct staff_session	 who, s2;
	struct hd_staff		 sf;
	struct other		 o;
	enum staff_login	 res;
	struct store		*st2 = NULL;
	pthread_t		 t;
	int64_t			 retry, n, ws;
	int			 f;

	CHECK_INT(store_open(&st2, db_path), MJ_OK);
	if (st2 == NULL)
		return;

	/* One name in any case, whichever node adds it. */
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_staff_add(st, "zed", "agent", "h", 5000), MJ_OK);
	memset(&o, 0, sizeof(o));
	o.st = st2;
	CHECK_INT(pthread_create(&t, NULL, other_add, &o), 0);
	usleep(300 * 1000);
	CHECK_INT(__atomic_load_n(&o.done, __ATOMIC_SEQ_CST), 0);
	CHECK_INT(store_end(st, 1), MJ_OK);
	pthread_join(t, NULL);
	CHECK_INT(o.rc, MJ_EINPUT);
	CHECK_INT(store_staff_get(st2, "ZeD", &sf, h, sizeof(h)), MJ_OK);
	CHECK_STR(sf.username, "zed");
	CHECK_INT(scalar("SELECT count(*) FROM staff WHERE lower(username) = "
	    "'zed'"), 1);

	/* Two admins, each disabled by a node at once: one stays. */
	CHECK_INT(staff_add(st, "adm1", "admin", PW, 5001, why, sizeof(why)),
	    MJ_OK);
	CHECK_INT(staff_add(st2, "adm2", "admin", PW, 5001, why, sizeof(why)),
	    MJ_OK);
	by.staff_id = scalar("SELECT id FROM staff WHERE username = 'adm1'");
	CHECK_INT(scalar("SELECT count(*) FROM staff WHERE role = 'admin' "
	    "AND disabled = 0"), 2);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_staff_set(st, "adm1", 1, NULL, NULL, 1), MJ_OK);
	CHECK_INT(store_staff_admins(st, &n), MJ_OK);
	CHECK_INT(n, 1);
	memset(&o, 0, sizeof(o));
	o.st = st2;
	o.by = &by;
	CHECK_INT(pthread_create(&t, NULL, other_disable, &o), 0);
	usleep(300 * 1000);
	CHECK_INT(__atomic_load_n(&o.done, __ATOMIC_SEQ_CST), 0);
	CHECK_INT(store_end(st, 1), MJ_OK);
	pthread_join(t, NULL);
	CHECK_INT(o.rc, MJ_EINPUT);
	CHECK_INT(o.why.no, STAFF_LAST_ADMIN);
	CHECK_INT(scalar("SELECT count(*) FROM staff WHERE role = 'admin' "
	    "AND disabled = 0"), 1);

	/* A login key's check waits for the failure counted elsewhere. */
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_login_failures(st, "user:shared", 5009, 600, &f, &ws),
	    MJ_OK);
	CHECK_INT(f, 0);
	CHECK_INT(store_login_failed(st, "user:shared", 5009, 600), MJ_OK);
	memset(&o, 0, sizeof(o));
	o.st = st2;
	CHECK_INT(pthread_create(&t, NULL, other_check, &o), 0);
	usleep(300 * 1000);
	CHECK_INT(__atomic_load_n(&o.done, __ATOMIC_SEQ_CST), 0);
	CHECK_INT(store_end(st, 1), MJ_OK);
	pthread_join(t, NULL);
	CHECK_INT(o.rc, MJ_OK);
	CHECK_INT(o.failures, 1);
	/* Counted in SQL by both nodes: no failure lost. */
	CHECK_INT(store_begin(st2), MJ_OK);
	CHECK_INT(store_login_failed(st2, "user:shared", 5011, 600), MJ_OK);
	CHECK_INT(store_end(st2, 1), MJ_OK);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_login_failed(st, "user:shared", 5012, 600), MJ_OK);
	CHECK_INT(store_login_failures(st, "user:shared", 5013, 600, &f, &ws),
	    MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(f, 3);
	CHECK_INT(ws, 5009);

	/* A session opened on one node is seen, and ended, on the other. */
	CHECK_INT(staff_login(st, c, "adm2", PW, IP, "n1", 5020, token, &who,
	    &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_OK);
	CHECK_INT(staff_session(st2, token, 5021, &s2), MJ_OK);
	CHECK_STR(s2.username, "adm2");
	CHECK_STR(s2.csrf, who.csrf);
	CHECK_INT(staff_logout(st2, token, &s2, IP, "n2", 5022), MJ_OK);
	CHECK_INT(staff_session(st, token, 5023, &s2), MJ_ENOTFOUND);
	store_close(st2);
}

int
main(void)
{
	char		 dir[] = "/tmp/staff_test.XXXXXX", conf_path[300];
	char		 where[1024];
	struct conf	 c;
	struct store	*st = NULL;
	FILE		*f;

	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return 2;
	{
		char	path[300];

		snprintf(path, sizeof(path), "%s/staff.db", dir);
		test_store_target(db_path, sizeof(db_path), path);
	}
	snprintf(conf_path, sizeof(conf_path), "%s/murojaat.conf", dir);
	if ((f = fopen(conf_path, "w")) == NULL)
		return 2;
	fputs("auth.login_max = 3\nauth.login_window = 600\n", f);
	fclose(f);
	unsetenv("MUROJAAT_CONF");
	if (conf_load(&c, conf_path, ".", where, sizeof(where)) != 0) {
		fprintf(stderr, "conf: %s\n", where);
		return 2;
	}
	CHECK_INT(c.auth_login_max, 3);
	CHECK_INT(c.auth_login_window_s, 600);
	CHECK_INT(store_open(&st, db_path), MJ_OK);
	if (st == NULL)
		return 1;
	test_accounts(st);
	test_sessions(st, &c);
	test_disabled(st, &c);
	test_throttle(st, &c);
	test_by_admin(st, &c);
	if (test_pg())
		test_nodes(st, &c);
	store_close(st);
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return check_done("staff_test");
}
