/*
 * api_test.c - the help-desk API's front door over real HTTP (server.c,
 * api.c) with a real store in a fresh folder and no background indexer:
 * requests without a live session are refused and write nothing (the
 * database's data_version, the index's mark and the summaries stay as
 * they were); a signed-in request brings the index up to date first.
 * With MUROJAAT_TEST_PG the store is a database on PostgreSQL
 * (tests/unit/pgtest.h), its queue of messages to index in place of the
 * index's mark.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>
#include <sqlite3.h>

#include "base/conf.h"
#include "bot/bot.h"
#include "check.h"
#include "pgtest.h"
#include "gateway/server.h"
#include "gateway/staff.h"
#include "store/store.h"

#define PW	"correct horse battery"

static char	db_path[300];
static char	db_url[512];		/* what the store opens */
static int	port;

/* q's first cell: on db, or on PostgreSQL a connection of its own. */
static long long
scalar_on(sqlite3 *db, const char *q)
{
	sqlite3_stmt	*st = NULL;
	long long	 v = -1;

	if (test_pg()) {
		PGconn		*c = PQconnectdb(db_url);
		PGresult	*r = PQexec(c, q);

		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
			v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		PQfinish(c);
		return v;
	}
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* One request; returns the HTTP status, 0 when none came. */
static long
request(const char *method, const char *path, const char *cookie,
    const char *body)
{
	CURL			*h = curl_easy_init();
	struct curl_slist	*hdrs = NULL;
	char			 url[200], line[200];
	long			 status = 0;

	if (h == NULL)
		return 0;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	if (cookie != NULL) {
		snprintf(line, sizeof(line), "Cookie: mj_session=%s", cookie);
		hdrs = curl_slist_append(hdrs, line);
	}
	if (body != NULL) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return status;
}

/* Three messages of one citizen, stored but not indexed yet. */
static void
store_messages(struct store *st)
{
	struct contact	c;
	struct msg_row	m;

	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_contact_get(st, "sms", "+998901112233", 10, &c), MJ_OK);
	for (int i = 0; i < 3; i++) {
		m = (struct msg_row){ .contact_id = c.id, .direction = "in",
		    .channel = "sms", .req = "r1", .body = "salom",
		    .lang = "uz-Latn", .intent = "greeting",
		    .delivery = "received", .created_at = 10 + i };
		CHECK_INT(store_msg_add(st, &m, NULL), MJ_OK);
	}
	CHECK_INT(store_end(st, 1), MJ_OK);
}

/* Messages stored and not indexed yet. */
static long long
unindexed(sqlite3 *db)
{
	if (test_pg())
		return scalar_on(db, "SELECT count(*) FROM index_queue");
	return scalar_on(db, "SELECT coalesce(max(id), 0) FROM messages") -
	    scalar_on(db, "SELECT last_id FROM index_state WHERE name = "
	    "'messages'");
}

static void
test_front_door(struct store *st, const struct conf *c)
{
	static const char	*bogus = "00112233445566778899aabbccddeeff"
				    "00112233445566778899aabbccddeeff";
	sqlite3			*db = NULL;
	long long		 version = 0;
	char			 token[STAFF_TOKEN_LEN + 1], why[200];
	struct staff_session	 who;
	enum staff_login	 res;
	int64_t			 retry;

	store_messages(st);
	if (!test_pg()) {
		if (sqlite3_open(db_path, &db) != SQLITE_OK)
			return;
		version = scalar_on(db, "PRAGMA data_version");
	}
	CHECK_INT(unindexed(db), 3);
	CHECK_INT(scalar_on(db, "SELECT count(*) FROM conversations"), 0);

	/* No session, a session nobody has, a write without one. */
	CHECK_INT(request("GET", "/api/me", NULL, NULL), 401);
	CHECK_INT(request("GET", "/api/conversations", bogus, NULL), 401);
	CHECK_INT(request("POST", "/api/conversations/1/take", NULL, "{}"),
	    401);
	CHECK_INT(request("GET", "/api/conversations", "not-hex", NULL), 401);
	/* data_version moves when another connection commits (SQLite). */
	if (!test_pg())
		CHECK_INT(scalar_on(db, "PRAGMA data_version"), version);
	CHECK_INT(unindexed(db), 3);
	CHECK_INT(scalar_on(db, "SELECT count(*) FROM conversations"), 0);
	CHECK_INT(scalar_on(db, "SELECT count(*) FROM audit"), 0);

	/* Signed in, staff see every message stored so far. */
	CHECK_INT(staff_add(st, "agent1", "agent", PW, 20, why, sizeof(why)),
	    MJ_OK);
	CHECK_INT(staff_login(st, c, "agent1", PW, "127.0.0.1", "t",
	    (int64_t)time(NULL), token, &who, &res, &retry), MJ_OK);
	CHECK_INT(res, STAFF_LOGIN_OK);
	CHECK_INT(request("GET", "/api/me", token, NULL), 200);
	CHECK_INT(unindexed(db), 0);
	CHECK_INT(scalar_on(db, "SELECT msgs FROM conversations"), 3);
	sqlite3_close(db);
}

int
main(void)
{
	char		 dir[] = "/tmp/api_test.XXXXXX", conf_path[300];
	char		 where[1024];
	struct conf	 c;
	struct store	*st = NULL;
	struct bot	*bot = NULL;
	struct server	*srv = NULL;
	FILE		*f;

	if (sodium_init() < 0 || mkdtemp(dir) == NULL ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 2;
	snprintf(db_path, sizeof(db_path), "%s/api.db", dir);
	snprintf(conf_path, sizeof(conf_path), "%s/murojaat.conf", dir);
	if ((f = fopen(conf_path, "w")) == NULL)
		return 2;
	fputs("http.bind = 127.0.0.1\n", f);
	fclose(f);
	unsetenv("MUROJAAT_CONF");
	if (conf_load(&c, conf_path, ".", where, sizeof(where)) != 0) {
		fprintf(stderr, "conf: %s\n", where);
		return 2;
	}
	c.http_port = 0;	/* the kernel's pick */
	CHECK_INT(store_open(&st, test_store_target(db_url, sizeof(db_url),
	    db_path)), MJ_OK);
	/* No writer: the background indexer does not run. */
	CHECK_INT(bot_new(&bot, &c, st, NULL, NULL), MJ_OK);
	CHECK_INT(server_start(&srv, &c, bot), MJ_OK);
	if (st == NULL || bot == NULL || srv == NULL)
		return 1;
	port = server_port(srv);
	CHECK(port > 0);
	test_front_door(st, &c);
	server_stop(srv);
	bot_free(bot);
	store_close(st);
	curl_global_cleanup();
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return check_done("api_test");
}
