/* store_test.c - migrations, contacts, applications with history, messages
 * and their dedupe, the outbox; and the demo data's determinism. */
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bot/demo.h"
#include "bot/migrations.h"
#include "bot/store.h"
#include "check.h"

static long long
scalar(const char *path, const char *q)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	long long	 v = -1;

	sqlite3_open(path, &db);
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
test_schema(const char *path)
{
	struct store	*st;

	CHECK_INT(store_open(&st, path), MJ_OK);
	CHECK_INT(store_schema_version(st), migrations[migrations_count - 1].version);
	store_close(st);
	/* a second open applies nothing twice */
	CHECK_INT(store_open(&st, path), MJ_OK);
	store_close(st);
	CHECK_INT(scalar(path, "SELECT count(*) FROM schema_migrations"),
	    (long long)migrations_count);
}

static void
test_contacts_apps_messages(const char *path)
{
	struct store		*st;
	struct contact		 c, c2;
	struct app_status	 a;
	struct msg_row		 m;
	int64_t			 in_id = 0, out_id = 0, seen = 0;
	char			*reply = NULL;
	struct programme_row	 p = { "child_allowance", 100000, 325000, 12,
	    "id_card", "inson", "d", "l", "s" };
	struct app_row		 r = { "AR-2025-000123", "child_allowance",
	    "pending", "+998901112233", "hash", "1234", "xorazm", "xiva",
	    "2025-05-01", NULL, NULL, "test" };

	CHECK_INT(store_open(&st, path), MJ_OK);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_programme_put(st, &p), MJ_OK);
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
	snprintf(c.state, sizeof(c.state), "await_app_no");
	snprintf(c.phone, sizeof(c.phone), "+998901112233");
	c.misses = 2;
	CHECK_INT(store_contact_save(st, &c, 11), MJ_OK);
	CHECK_INT(store_contact_get(st, "sms", "+998901112233", 12, &c2), MJ_OK);
	CHECK_INT(c2.id, c.id);
	CHECK_STR(c2.lang, "ru");
	CHECK_STR(c2.state, "await_app_no");
	CHECK_STR(c2.phone, "+998901112233");
	CHECK_INT(c2.misses, 2);

	CHECK_INT(store_inbound_seen(st, "sms", "k1", &seen, &reply),
	    MJ_ENOTFOUND);
	m = (struct msg_row){ .contact_id = c.id, .direction = "in",
	    .channel = "sms", .channel_msg_id = "k1", .req = "r1",
	    .body = "salom", .lang = "uz-Latn", .intent = "greeting",
	    .delivery = "received", .created_at = 5 };
	CHECK_INT(store_msg_add(st, &m, &in_id), MJ_OK);
	/* the same channel id again is refused by the unique index */
	CHECK_INT(store_msg_add(st, &m, NULL), MJ_EDB);
	m = (struct msg_row){ .contact_id = c.id, .direction = "out",
	    .channel = "sms", .req = "r1", .reply_to = in_id,
	    .body = "Assalomu alaykum", .delivery = "sync", .encoding = "gsm7",
	    .segments = 1, .created_at = 5 };
	CHECK_INT(store_msg_add(st, &m, &out_id), MJ_OK);
	CHECK_INT(store_outbox_add(st, out_id, "sms", "+998901112233", "sync",
	    NULL, NULL, 5, 5), MJ_OK);
	CHECK_INT(store_outbox_add(st, out_id, "sms", "+998901112233", "bogus",
	    NULL, NULL, 5, 5), MJ_EDB);
	CHECK_INT(store_inbound_seen(st, "sms", "k1", &seen, &reply), MJ_OK);
	CHECK_INT(seen, in_id);
	CHECK_STR(reply, "Assalomu alaykum");
	free(reply);
	CHECK_INT(store_inbound_seen(st, "telegram", "k1", &seen, &reply),
	    MJ_ENOTFOUND);
	CHECK_INT(store_end(st, 1), MJ_OK);

	/* a rolled-back transaction leaves nothing */
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_contact_get(st, "sms", "+998900000001", 1, &c), MJ_OK);
	CHECK_INT(store_end(st, 0), MJ_OK);
	CHECK_INT(store_app_count(st), 1);
	store_close(st);
	CHECK_INT(scalar(path, "SELECT count(*) FROM contacts"), 1);
	CHECK_INT(scalar(path, "SELECT count(*) FROM application_history"), 2);
	CHECK_INT(scalar(path, "SELECT count(*) FROM outbox"), 1);
}

static void
test_demo(const char *p1, const char *p2)
{
	struct store		*a, *b;
	struct app_status	 s;

	CHECK_INT(store_open(&a, p1), MJ_OK);
	CHECK_INT(store_open(&b, p2), MJ_OK);
	CHECK_INT(demo_fill(a, 500), MJ_OK);
	CHECK_INT(demo_fill(b, 500), MJ_OK);
	CHECK_INT(store_app_count(a), 500);
	CHECK_INT(store_app_get(a, "AR-2025-000001", &s), MJ_OK);
	CHECK_STR(s.programme, "child_allowance");
	CHECK_STR(s.status, "approved");
	CHECK_STR(s.phone, "+998901234567");
	CHECK_STR(s.decided, "2025-03-01");
	CHECK_STR(s.payment, "2025-03-04");
	CHECK_INT(store_app_get(a, "AR-2025-000002", &s), MJ_OK);
	CHECK_STR(s.programme, "material_aid");
	CHECK_STR(s.status, "in_review");
	CHECK_STR(s.phone, "+998907654321");
	store_close(a);
	store_close(b);
	/* deterministic: both databases hold the same applications */
	CHECK_INT(scalar(p1, "SELECT sum(length(applicant_phone || status || "
	    "pinfl_hash || submitted_on) * id) FROM applications"),
	    scalar(p2, "SELECT sum(length(applicant_phone || status || "
	    "pinfl_hash || submitted_on) * id) FROM applications"));
	CHECK_INT(scalar(p1, "SELECT count(*) FROM applications WHERE "
	    "applicant_phone IN ('+998901234567', '+998907654321', "
	    "'+998900000000')"), 2);
	CHECK_INT(scalar(p1, "SELECT count(*) FROM programmes"), 7);
}

int
main(void)
{
	char	dir[] = "/tmp/store_testXXXXXX", p[3][128];

	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(p[0], sizeof(p[0]), "%s/sub/a.db", dir);
	snprintf(p[1], sizeof(p[1]), "%s/b.db", dir);
	snprintf(p[2], sizeof(p[2]), "%s/c.db", dir);
	test_schema(p[0]);
	test_contacts_apps_messages(p[1]);
	test_demo(p[0], p[2]);
	CHECK_INT(scalar(p[0], "SELECT journal_mode = 'wal' FROM "
	    "pragma_journal_mode"), 1);
	for (int i = 0; i < 3; i++) {
		char	side[160];

		unlink(p[i]);
		snprintf(side, sizeof(side), "%s-wal", p[i]);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", p[i]);
		unlink(side);
	}
	snprintf(p[0], sizeof(p[0]), "%s/sub", dir);
	rmdir(p[0]);
	rmdir(dir);
	return check_done("store_test");
}
