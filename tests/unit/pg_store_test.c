/*
 * pg_store_test.c - the citizen's path on PostgreSQL (store/pg_citizen.c),
 * and what several nodes on one database do at once: two struct stores
 * opened on one URL stand for two nodes.  Runs only when MUROJAAT_TEST_PG
 * names a cluster (tests/unit/pgtest.h); otherwise it ends "0 passed, 0
 * failed".
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "check.h"
#include "pgtest.h"
#include "store/sms.h"
#include "store/store.h"

#define NOW	1748840400	/* 2025-06-02 10:00 in Tashkent */

static char	url[512];

/* One integer from the database, on a connection of the test's own. */
static long long
scalar(const char *sql)
{
	PGconn		*c = PQconnectdb(url);
	PGresult	*r = PQexec(c, sql);
	long long	 v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
		v = atoll(PQgetvalue(r, 0, 0));
	else if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fprintf(stderr, "scalar: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return v;
}

static void
exec_sql(const char *sql)
{
	PGconn		*c = PQconnectdb(url);
	PGresult	*r = PQexec(c, sql);

	CHECK(PQresultStatus(r) == PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);
}

static int64_t
contact_id(struct store *st, const char *address)
{
	struct contact	c;

	memset(&c, 0, sizeof(c));
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_contact_get(st, "telegram", address, NOW, &c), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	return c.id;
}

/* An outbound message and its pending outbox row; the message's id. */
static int64_t
queue(struct store *st, int64_t cid, const char *address, const char *intent)
{
	struct msg_row	m = { .contact_id = cid, .direction = "out",
	    .channel = "telegram", .req = "rq", .body = "javob", .lang = "uz-Latn",
	    .intent = intent, .delivery = "queued", .created_at = NOW };
	int64_t		id = 0;

	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_msg_add(st, &m, &id), MJ_OK);
	CHECK_INT(store_outbox_add(st, id, "telegram", address, "pending",
	    NULL, NULL, NOW, NOW), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	return id;
}

static void
free_items(struct outbox_item *it, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_outbox_item_free(&it[i]);
}

/* What store_test checks of contacts, applications and messages. */
static void
test_basics(struct store *st)
{
	struct contact		 c, c2;
	struct app_status	 a;
	struct msg_row		 m;
	int64_t			 in_id = 0, out_id = 0, seen = 0, depth, age;
	int64_t			 cid;
	char			*reply = NULL;
	int			 changed = 0;
	struct app_row		 r = { "AR-2025-000123", "child_allowance",
	    "pending", "+998901112233", "hash", "1234", "xorazm", "xiva",
	    "2025-05-01", NULL, NULL, "test" };

	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_app_put(st, &r, 100), MJ_OK);
	r.status = "approved";
	r.decided = "2025-06-01";
	CHECK_INT(store_app_put(st, &r, 200), MJ_OK);
	CHECK_INT(store_app_put(st, &r, 300), MJ_OK);	/* no change */
	CHECK_INT(store_app_get(st, "AR-2025-000123", &a), MJ_OK);
	CHECK_STR(a.status, "approved");
	CHECK_STR(a.decided, "2025-06-01");
	CHECK_STR(a.payment, "");
	CHECK_STR(a.phone, "+998901112233");
	CHECK_INT(store_app_get(st, "AR-2025-999999", &a), MJ_ENOTFOUND);
	CHECK_INT(store_app_get(st, "x' OR '1'='1", &a), MJ_ENOTFOUND);

	CHECK_INT(store_contact_get(st, "sms", "+998901112233", 10, &c), MJ_OK);
	CHECK_STR(c.lang, "uz-Latn");
	CHECK_STR(c.state, "");
	snprintf(c.lang, sizeof(c.lang), "ru");
	snprintf(c.lang_cyrl, sizeof(c.lang_cyrl), "ru");
	snprintf(c.lang_latn, sizeof(c.lang_latn), "en");
	snprintf(c.state, sizeof(c.state), "await_app_no");
	snprintf(c.phone, sizeof(c.phone), "+998901112233");
	c.misses = 2;
	c.opted_out = 1;
	CHECK_INT(store_contact_save(st, &c, 11), MJ_OK);
	CHECK_INT(store_contact_get(st, "sms", "+998901112233", 12, &c2), MJ_OK);
	CHECK_INT(c2.id, c.id);
	CHECK_STR(c2.lang, "ru");
	CHECK_STR(c2.lang_cyrl, "ru");
	CHECK_STR(c2.lang_latn, "en");
	CHECK_STR(c2.state, "await_app_no");
	CHECK_STR(c2.phone, "+998901112233");
	CHECK_INT(c2.misses, 2);
	CHECK_INT(c2.opted_out, 1);
	c2.misses = 3;		/* the phone unchanged: the other statement */
	CHECK_INT(store_contact_save(st, &c2, 13), MJ_OK);
	CHECK_INT(store_contact_find(st, "sms", "+998901112233", &c), MJ_OK);
	CHECK_INT(c.misses, 3);
	cid = c.id;
	CHECK_INT(store_contact_find(st, "sms", "+998900000000", &c2),
	    MJ_ENOTFOUND);
	CHECK_INT(store_contact_by_id(st, c.id, &c2), MJ_OK);
	CHECK_STR(c2.address, "+998901112233");

	CHECK_INT(store_inbound_seen(st, "sms", "k1", &seen, &reply),
	    MJ_ENOTFOUND);
	m = (struct msg_row){ .contact_id = c.id, .direction = "in",
	    .channel = "sms", .channel_msg_id = "k1", .req = "r1",
	    .body = "salom", .lang = "uz-Latn", .intent = "greeting",
	    .delivery = "received", .created_at = 5, .nlu_source = "model",
	    .nlu_prob = 0.75 };
	CHECK_INT(store_msg_add(st, &m, &in_id), MJ_OK);
	/* the same channel id again: stored already, nothing more */
	CHECK_INT(store_msg_add(st, &m, NULL), MJ_EINPUT);
	m = (struct msg_row){ .contact_id = c.id, .direction = "out",
	    .channel = "sms", .req = "r1", .reply_to = in_id,
	    .body = "Assalomu alaykum", .delivery = "sync", .encoding = "gsm7",
	    .segments = 1, .created_at = 5 };
	CHECK_INT(store_msg_add(st, &m, &out_id), MJ_OK);
	CHECK_INT(store_outbox_add(st, out_id, "sms", "+998901112233", "sync",
	    NULL, NULL, 5, 5), MJ_OK);
	CHECK_INT(store_inbound_seen(st, "sms", "k1", &seen, &reply), MJ_OK);
	CHECK_INT(seen, in_id);
	CHECK_STR(reply, "Assalomu alaykum");
	free(reply);
	reply = NULL;
	CHECK_INT(store_inbound_seen(st, "telegram", "k1", &seen, &reply),
	    MJ_ENOTFOUND);
	/* a content-made id, stored with its time */
	m = (struct msg_row){ .contact_id = c.id, .direction = "in",
	    .channel = "sms", .channel_msg_id = "h:abc:1000", .req = "r2",
	    .body = "salom", .delivery = "received", .created_at = 1000 };
	CHECK_INT(store_msg_add(st, &m, &in_id), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_inbound_seen_since(st, "sms", "h:abc", 900, &seen,
	    &reply), MJ_OK);
	CHECK_INT(seen, in_id);
	CHECK(reply == NULL);
	CHECK_INT(store_inbound_seen_since(st, "sms", "h:abc", 1001, &seen,
	    &reply), MJ_ENOTFOUND);
	CHECK_INT(store_inbound_seen_since(st, "sms", "h:ab", 900, &seen,
	    &reply), MJ_ENOTFOUND);
	CHECK_INT(scalar("SELECT nlu_prob * 100 FROM messages WHERE "
	    "channel_msg_id = 'k1'"), 75);
	/* every message waits for the help desk's indexer */
	CHECK_INT(scalar("SELECT count(*) FROM index_queue"), 3);

	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_outbox_add(st, out_id, "sms", "+998901112233",
	    "bogus", NULL, NULL, 5, 5), MJ_EDB);
	CHECK_INT(store_end(st, 1), MJ_EDB);	/* the failed one undone */

	/* a rolled-back transaction leaves nothing */
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_contact_get(st, "sms", "+998900000001", 1, &c), MJ_OK);
	CHECK_INT(store_end(st, 0), MJ_OK);
	CHECK_INT(store_app_count(st), 1);
	CHECK_INT(scalar("SELECT count(*) FROM contacts"), 1);
	CHECK_INT(scalar("SELECT count(*) FROM application_history"), 2);
	CHECK_INT(scalar("SELECT count(*) FROM outbox"), 1);
	CHECK_INT(scalar("SELECT count(*) FROM contacts WHERE opted_out_at "
	    "= 11"), 1);

	/* the registry's status: a history row for a change only */
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_app_set_status(st, "AR-2025-000123", "paid", NULL,
	    "2025-06-05", "registry", NOW, &changed, &a), MJ_OK);
	CHECK_INT(changed, 1);
	CHECK_STR(a.status, "paid");
	CHECK_STR(a.decided, "2025-06-01");
	CHECK_STR(a.payment, "2025-06-05");
	CHECK_INT(store_app_set_status(st, "AR-2025-000123", "paid", NULL,
	    NULL, "registry", NOW, &changed, &a), MJ_OK);
	CHECK_INT(changed, 0);
	CHECK_INT(store_app_set_status(st, "AR-2025-000999", "paid", NULL,
	    NULL, "registry", NOW, &changed, &a), MJ_ENOTFOUND);
	/* the applicant's contact: the one whose phone is proven */
	CHECK_INT(store_contact_for_phone(st, "+998901112233", NOW, &c2),
	    MJ_OK);
	CHECK_INT(c2.id, cid);
	CHECK_INT(store_contact_for_phone(st, "+998907770000", NOW, &c2),
	    MJ_OK);
	CHECK_STR(c2.channel, "sms");
	CHECK_STR(c2.phone, "+998907770000");
	CHECK_INT(store_end(st, 1), MJ_OK);
	/* Tashkent's day of NOW */
	CHECK_INT(scalar("SELECT count(*) FROM application_history WHERE "
	    "status = 'paid' AND on_date = '2025-06-02'"), 1);

	CHECK_INT(store_outbox_stats(st, NOW, &depth, &age), MJ_OK);
	CHECK_INT(depth, 0);
	CHECK_INT(age, 0);
	CHECK_INT(store_ping(st), MJ_OK);
}

/* Delivery reports and notices cancelled at an opt-out. */
static void
test_reports(struct store *st)
{
	int64_t		cid = contact_id(st, "501"), id, depth, age;

	id = queue(st, cid, "501", "notice");
	CHECK_INT(store_outbox_stats(st, NOW + 7, &depth, &age), MJ_OK);
	CHECK_INT(depth, 1);
	CHECK_INT(age, 7);
	CHECK_INT(store_delivery_report(st, id, "kannel", "8", "buffered",
	    NULL, 0, NOW), MJ_OK);
	CHECK_INT(store_delivery_report(st, id, "kannel", "8", "sent", NULL,
	    0, NOW), MJ_OK);	/* older news */
	CHECK_INT(scalar("SELECT count(*) FROM messages WHERE delivery = "
	    "'buffered'"), 1);
	CHECK_INT(store_delivery_report(st, id, "kannel", "16", "failed",
	    "rejected", 1, NOW), MJ_OK);	/* refused: tried again */
	CHECK_INT(scalar("SELECT attempts * 10 + (state = 'pending')::int "
	    "FROM outbox WHERE reason = 'retrying'"), 11);
	CHECK_INT(store_delivery_report(st, 999999, "kannel", "1",
	    "delivered", NULL, 0, NOW), MJ_ENOTFOUND);
	CHECK_INT(scalar("SELECT count(*) FROM delivery_reports"), 3);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_cancel_notices(st, cid), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(scalar("SELECT count(*) FROM outbox WHERE state = 'failed' "
	    "AND last_error = 'opted out'"), 1);
}

struct racer {
	struct store	*st;
	int64_t		 cid;
	enum mj_err	 rc;
	struct outbox_item items[64];
	size_t		 n;
	int		 rounds;
};

static void *
store_dup(void *arg)
{
	struct racer	*x = arg;
	struct msg_row	 m = { .contact_id = x->cid, .direction = "in",
	    .channel = "telegram", .channel_msg_id = "u77", .req = "rb",
	    .body = "salom", .delivery = "received", .created_at = NOW };

	store_begin(x->st);
	x->rc = store_msg_add(x->st, &m, NULL);
	store_end(x->st, x->rc == MJ_OK);
	return NULL;
}

/* A webhook delivered to two nodes at once: one row, MJ_EINPUT to one. */
static void
test_dedupe(struct store *a, struct store *b)
{
	int64_t		 cid = contact_id(a, "601"), id = 0;
	struct msg_row	 m = { .contact_id = cid, .direction = "in",
	    .channel = "telegram", .channel_msg_id = "u77", .req = "ra",
	    .body = "salom", .delivery = "received", .created_at = NOW };
	struct racer	 x = { .st = b, .cid = cid };
	pthread_t	 t;
	char		*reply = NULL;

	CHECK_INT(store_begin(a), MJ_OK);
	CHECK_INT(store_msg_add(a, &m, &id), MJ_OK);
	/* b's insert waits for a's transaction ... */
	pthread_create(&t, NULL, store_dup, &x);
	usleep(200 * 1000);
	CHECK_INT(store_end(a, 1), MJ_OK);
	pthread_join(t, NULL);
	/* ... and, a having committed, stores nothing */
	CHECK_INT(x.rc, MJ_EINPUT);
	CHECK_INT(scalar("SELECT count(*) FROM messages WHERE channel_msg_id "
	    "= 'u77'"), 1);
	CHECK_INT(store_inbound_seen(b, "telegram", "u77", &id, &reply),
	    MJ_OK);
	free(reply);
	/* a's transaction undone: b's row goes in */
	m.channel_msg_id = "u78";
	CHECK_INT(store_begin(a), MJ_OK);
	CHECK_INT(store_msg_add(a, &m, &id), MJ_OK);
	CHECK_INT(store_end(a, 0), MJ_OK);
	CHECK_INT(store_begin(b), MJ_OK);
	CHECK_INT(store_msg_add(b, &m, &id), MJ_OK);
	CHECK_INT(store_end(b, 1), MJ_OK);
	CHECK_INT(scalar("SELECT count(*) FROM messages WHERE channel_msg_id "
	    "= 'u78'"), 1);
}

static void *
claim(void *arg)
{
	struct racer	*x = arg;

	x->rc = store_outbox_due(x->st, NOW, x->items, 64, &x->n);
	return NULL;
}

static int
has(const struct outbox_item *it, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (it[i].id == id)
			return 1;
	return 0;
}

/* Outbox rows claimed by two nodes at once, leases and their end. */
static void
test_outbox(struct store *a, struct store *b)
{
	struct racer		 x = { .st = a }, y = { .st = b };
	struct outbox_item	 it[64];
	struct outbox_result	 res;
	pthread_t		 t1, t2;
	size_t			 n = 0, both = 0;
	char			 addr[16];

	exec_sql("UPDATE outbox SET state = 'sent' WHERE state = 'pending'");
	for (int i = 0; i < 40; i++) {
		snprintf(addr, sizeof(addr), "7%02d", i);
		queue(a, contact_id(a, addr), addr, "reply");
	}
	pthread_create(&t1, NULL, claim, &x);
	pthread_create(&t2, NULL, claim, &y);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	CHECK_INT(x.rc, MJ_OK);
	CHECK_INT(y.rc, MJ_OK);
	/* every row claimed, none twice */
	CHECK_INT(x.n + y.n, 40);
	for (size_t i = 0; i < x.n; i++)
		both += has(y.items, y.n, x.items[i].id);
	CHECK_INT(both, 0);
	for (size_t i = 1; i < x.n; i++)
		CHECK(x.items[i - 1].id < x.items[i].id);	/* oldest first */
	CHECK_INT(scalar("SELECT count(DISTINCT lease_node) FROM outbox WHERE "
	    "state = 'pending'"), x.n > 0 && y.n > 0 ? 2 : 1);
	/* a node's own rows come back to it; the other's do not */
	CHECK_INT(store_outbox_due(a, NOW, it, 64, &n), MJ_OK);
	CHECK_INT(n, x.n);
	free_items(it, n);
	/* the lease ended (a died mid-send): b takes a's rows over */
	CHECK_INT(store_outbox_due(b, NOW + 61, it, 64, &n), MJ_OK);
	CHECK_INT(n, 40);
	free_items(it, n);
	CHECK_INT(store_outbox_due(a, NOW + 61, it, 64, &n), MJ_OK);
	CHECK_INT(n, 0);
	/* an outcome recorded ends the lease: the row is anyone's again */
	memset(&res, 0, sizeof(res));
	res.id = x.items[0].id > 0 ? x.items[0].id : y.items[0].id;
	res.msg_id = x.items[0].id > 0 ? x.items[0].msg_id : y.items[0].msg_id;
	res.attempts = 1;
	res.state = "pending";
	res.reason = "retrying";
	res.next_try_at = NOW;
	snprintf(res.error, sizeof(res.error), "timeout");
	CHECK_INT(store_outbox_set(b, &res, 1, NOW), MJ_OK);
	CHECK_INT(store_outbox_due(a, NOW + 61, it, 64, &n), MJ_OK);
	CHECK_INT(n, 1);
	CHECK(n == 1 && it[0].id == res.id && it[0].attempts == 1 &&
	    strcmp(it[0].reason, "retrying") == 0 &&
	    strcmp(it[0].text, "javob") == 0 && it[0].markup == NULL);
	free_items(it, n);
	free_items(x.items, x.n);
	free_items(y.items, y.n);
	/* sent: the message follows, the lease is gone */
	res.state = "sent";
	res.reason = NULL;
	res.error[0] = '\0';
	CHECK_INT(store_outbox_set(a, &res, 1, NOW), MJ_OK);
	CHECK_INT(scalar("SELECT count(*) FROM outbox o JOIN messages m ON "
	    "m.id = o.message_id WHERE o.state = 'sent' AND m.delivery = "
	    "'sent' AND o.lease_node IS NULL AND o.sent_at IS NOT NULL"), 1);
	CHECK_INT(scalar("SELECT count(*) FROM chat_sends"), 1);
	exec_sql("UPDATE outbox SET state = 'sent' WHERE state = 'pending'");
}

/* One chat: one node sends to it at a time, and not too often. */
static void
test_chat_pacing(struct store *a, struct store *b)
{
	struct outbox_item	 it[8];
	struct outbox_result	 res;
	size_t			 n = 0;
	int64_t			 cid = contact_id(a, "800");

	queue(a, cid, "800", "reply");
	queue(a, cid, "800", "reply");
	store_outbox_pacing(a, 60, 0);
	CHECK_INT(store_outbox_due(a, NOW, it, 1, &n), MJ_OK);
	CHECK_INT(n, 1);
	/* the chat has a row under a's live lease: b waits */
	CHECK_INT(store_outbox_due(b, NOW, it + 1, 8, &n), MJ_OK);
	CHECK_INT(n, 0);
	/* a itself may take the chat's next row (its sender paces it) */
	CHECK_INT(store_outbox_due(a, NOW, it + 1, 8, &n), MJ_OK);
	CHECK_INT(n, 2);
	free_items(it + 1, n);
	memset(&res, 0, sizeof(res));
	res.id = it[0].id;
	res.msg_id = it[0].msg_id;
	res.attempts = 1;
	res.state = "sent";
	store_outbox_item_free(&it[0]);
	exec_sql("UPDATE outbox SET lease_until = 0");
	/* sent just now: within a minute's interval, nobody sends again */
	store_outbox_pacing(a, 60, 60000);
	CHECK_INT(store_outbox_set(a, &res, 1, NOW), MJ_OK);
	CHECK_INT(store_outbox_due(b, NOW, it, 8, &n), MJ_OK);
	CHECK_INT(n, 0);
	store_outbox_pacing(a, 60, 0);
	CHECK_INT(store_outbox_due(b, NOW, it, 8, &n), MJ_OK);
	CHECK_INT(n, 1);
	free_items(it, n);
	exec_sql("UPDATE outbox SET state = 'sent' WHERE state = 'pending'");
}

static void *
count_up(void *arg)
{
	struct racer	*x = arg;
	struct contact	 c;

	for (int i = 0; i < x->rounds; i++) {
		if (store_begin(x->st) != MJ_OK)
			continue;
		if (store_contact_get(x->st, "sms", "+998909990000", NOW, &c) ==
		    MJ_OK) {
			c.rate_min_count++;
			c.rate_day_count += 2;
			if (store_contact_save(x->st, &c, NOW) != MJ_OK)
				x->rc = MJ_EDB;
		} else
			x->rc = MJ_EDB;
		if (store_end(x->st, 1) != MJ_OK)
			x->rc = MJ_EDB;
	}
	return NULL;
}

/* One sender's rate windows, counted by two nodes at once: all counted. */
static void
test_rate_counters(struct store *a, struct store *b)
{
	struct racer	x = { .st = a, .rounds = 50 },
			y = { .st = b, .rounds = 50 };
	pthread_t	t1, t2;

	pthread_create(&t1, NULL, count_up, &x);
	pthread_create(&t2, NULL, count_up, &y);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	CHECK_INT(x.rc, MJ_OK);
	CHECK_INT(y.rc, MJ_OK);
	CHECK_INT(scalar("SELECT count(*) FROM contacts WHERE address = "
	    "'+998909990000'"), 1);
	CHECK_INT(scalar("SELECT rate_min_count FROM contacts WHERE address "
	    "= '+998909990000'"), 100);
	CHECK_INT(scalar("SELECT rate_day_count FROM contacts WHERE address "
	    "= '+998909990000'"), 200);
}

int
main(void)
{
	struct store	*a = NULL, *b = NULL;

	if (!test_pg())
		return check_done("pg_store_test");
	test_store_target(url, sizeof(url), "");
	CHECK_INT(store_open(&a, url), MJ_OK);
	CHECK_INT(store_open(&b, url), MJ_OK);
	if (a == NULL || b == NULL)
		return check_done("pg_store_test");
	exec_sql("INSERT INTO programmes (code, documents, apply_via) VALUES "
	    "('child_allowance', '', '')");
	test_basics(a);
	test_reports(a);
	test_dedupe(a, b);
	test_outbox(a, b);
	test_chat_pacing(a, b);
	test_rate_counters(a, b);
	store_close(a);
	store_close(b);
	return check_done("pg_store_test");
}
