/* store_test.c - migrations, the statement cache, contacts, applications
 * with history, messages and their dedupe, the outbox; and the demo data's
 * determinism. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bot/demo.h"
#include "bot/rules_data.h"
#include "check.h"
#include "store/index.h"
#include "store/migrations.h"
#include "store/programmes.h"
#include "store/store.h"
#include "store/store_int.h"

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

/*
 * The one statement cache: far more statements than its first 64 slots,
 * each found again by its text (a copy at another address finds the same
 * statement), each still working after the cache grew; a text that does not
 * prepare is refused, logged, and leaves the cache as it was; and the
 * store's own calls still work beside them.  store_close() finalizes them
 * all (LeakSanitizer would report one left behind).
 */
static void
test_stmt_cache(const char *path)
{
	enum { N = 300 };
	struct store	*st;
	sqlite3_stmt	*q[N];
	struct contact	 c;
	size_t		 n0, cap0;
	char		 sql[64], *copy;
	int		 got = 0, works = 0, same = 0, kept = 1;

	CHECK_INT(store_open(&st, path), MJ_OK);
	n0 = st->nstmts;
	cap0 = st->capstmts;
	CHECK(n0 >= 20);	/* what store_open() checks at once */
	CHECK_INT(cap0, 64);
	pthread_mutex_lock(&st->lock);
	for (int i = 0; i < N; i++) {
		snprintf(sql, sizeof(sql), "SELECT ?1 * 1000 + %d", i);
		if ((q[i] = store_stmt(st, sql)) != NULL)
			got++;
	}
	CHECK_INT(got, N);
	CHECK_INT(st->nstmts, n0 + N);
	CHECK(st->capstmts >= 2 * (n0 + N));	/* grew, half full at most */
	for (int i = 0; i < N && got == N; i++) {
		snprintf(sql, sizeof(sql), "SELECT ?1 * 1000 + %d", i);
		copy = strdup(sql);
		if (store_stmt(st, copy) == q[i])
			same++;
		free(copy);
		sqlite3_bind_int(q[i], 1, 7);
		if (sqlite3_step(q[i]) == SQLITE_ROW &&
		    sqlite3_column_int(q[i], 0) == 7000 + i)
			works++;
		done(q[i]);
		/* and again: the statement is reusable after done() */
		sqlite3_bind_int(q[i], 1, 8);
		if (sqlite3_step(q[i]) != SQLITE_ROW ||
		    sqlite3_column_int(q[i], 0) != 8000 + i)
			kept = 0;
		done(q[i]);
	}
	CHECK_INT(works, N);
	CHECK_INT(same, N);
	CHECK(kept);
	CHECK_INT(st->nstmts, n0 + N);		/* nothing prepared twice */
	CHECK(store_stmt(st, "SELEKT 1") == NULL);
	CHECK(store_stmt(st, "") == NULL);
	CHECK(store_stmt(st, "SELECT * FROM no_such_table") == NULL);
	CHECK_INT(st->nstmts, n0 + N);
	pthread_mutex_unlock(&st->lock);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_contact_get(st, "sms", "+998901110000", 1, &c), MJ_OK);
	CHECK_STR(c.address, "+998901110000");
	CHECK_INT(store_savepoint(st), MJ_OK);
	CHECK_INT(store_savepoint_end(st, 0), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_schema_version(st),
	    migrations[migrations_count - 1].version);
	store_close(st);
	CHECK_INT(scalar(path, "SELECT count(*) FROM contacts WHERE address = "
	    "'+998901110000'"), 1);
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
	static struct prog_def	 p = { .code = "child_allowance",
	    .period_months = 12 };
	struct app_row		 r = { "AR-2025-000123", "child_allowance",
	    "pending", "+998901112233", "hash", "1234", "xorazm", "xiva",
	    "2025-05-01", NULL, NULL, "test" };

	CHECK_INT(store_open(&st, path), MJ_OK);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_rules_put(st, &p, 100), MJ_OK);
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
	CHECK_STR(c.lang_cyrl, "");
	CHECK_STR(c.lang_latn, "");
	snprintf(c.lang, sizeof(c.lang), "ru");
	snprintf(c.lang_cyrl, sizeof(c.lang_cyrl), "ru");
	snprintf(c.lang_latn, sizeof(c.lang_latn), "en");
	snprintf(c.state, sizeof(c.state), "await_app_no");
	snprintf(c.phone, sizeof(c.phone), "+998901112233");
	c.misses = 2;
	CHECK_INT(store_contact_save(st, &c, 11), MJ_OK);
	CHECK_INT(store_contact_get(st, "sms", "+998901112233", 12, &c2), MJ_OK);
	CHECK_INT(c2.id, c.id);
	CHECK_STR(c2.lang, "ru");
	CHECK_STR(c2.lang_cyrl, "ru");
	CHECK_STR(c2.lang_latn, "en");
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
	char			 where[1024];

	CHECK_INT(store_open(&a, p1), MJ_OK);
	CHECK_INT(store_open(&b, p2), MJ_OK);
	/* the applications need their programmes, imported from data/ */
	CHECK_INT(demo_fill(a, 500), MJ_ENOTFOUND);
	CHECK_INT(store_app_count(a), 0);
	CHECK_INT(rules_data_seed(a, NULL, 0, "data", where, sizeof(where)),
	    MJ_OK);
	CHECK_INT(rules_data_seed(b, NULL, 0, "data", where, sizeof(where)),
	    MJ_OK);
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

/* Every conversation summary as one string. */
static char *
summaries(sqlite3 *db)
{
	sqlite3_stmt	*q;
	char		*s = NULL;

	if (sqlite3_prepare_v2(db, "SELECT group_concat(contact_id || '|' || "
	    "channel || '|' || lang || '|' || last_msg_id || '|' || last_at || "
	    "'|' || snippet || '|' || last_in_intent || '|' || msgs || '|' || "
	    "unknown_streak || '|' || needs_human || '|' || status || '|' || "
	    "review, char(10)) "
	    "FROM (SELECT * FROM conversations ORDER BY contact_id)", -1, &q,
	    NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW &&
	    sqlite3_column_text(q, 0) != NULL)
		s = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return s != NULL ? s : strdup("");
}

static unsigned
rnd(unsigned *x)
{
	*x = *x * 1103515245u + 12345u;
	return (*x >> 16) & 0x7fff;
}

/*
 * The indexer folds a batch per contact; the per-message definition is
 * migration 0007's trigger.  Two stores get the same random messages,
 * resolutions and batch boundaries: one indexed by store_index_pending(),
 * one through the trigger.  Their summaries must be the same.
 */
static void
test_index_fold(const char *pa, const char *pb)
{
	static const char *const intents[] = { "unknown", "unknown",
	    "human_operator", "status", "greeting", NULL };
	static const char *const langs[] = { "uz-Latn", "ru", NULL };
	struct store	*sa, *sb;
	sqlite3		*a, *b;
	unsigned	 x = 7;
	int64_t		 id = 0, at = 1800000000;
	int		 n, total = 0, same = 1;

	CHECK_INT(store_open(&sa, pa), MJ_OK);
	CHECK_INT(store_open(&sb, pb), MJ_OK);
	store_close(sb);
	sqlite3_open(pa, &a);
	sqlite3_open(pb, &b);
	for (int c = 1; c <= 60; c++) {
		char	sql[160];

		snprintf(sql, sizeof(sql), "INSERT INTO contacts (id, channel, "
		    "address, created_at, updated_at) VALUES (%d, 'sms', "
		    "'+99890%07d', 1, 1)", c, c);
		sqlite3_exec(a, sql, NULL, NULL, NULL);
		sqlite3_exec(b, sql, NULL, NULL, NULL);
	}
	for (int round = 0; round < 80; round++) {
		int	msgs = 1 + (int)(rnd(&x) % (round % 8 ? 40 : 900));

		sqlite3_exec(a, "BEGIN", NULL, NULL, NULL);
		sqlite3_exec(b, "BEGIN", NULL, NULL, NULL);
		for (int i = 0; i < msgs; i++) {
			char		 sql[480];
			const char	*in = rnd(&x) % 3 ? "in" : "out";
			const char	*it = intents[rnd(&x) % 6];
			const char	*lg = langs[rnd(&x) % 3];
			char		 itq[24], lgq[16];

			snprintf(itq, sizeof(itq), it ? "'%s'" : "NULL",
			    it ? it : "");
			snprintf(lgq, sizeof(lgq), lg ? "'%s'" : "NULL",
			    lg ? lg : "");
			at += (int)(rnd(&x) % 5) - 1;	/* not always rising */
			id++;
			snprintf(sql, sizeof(sql), "INSERT INTO messages (id, "
			    "contact_id, direction, channel, req, body, lang, "
			    "intent, delivery, created_at, review) VALUES "
			    "(%lld, %u, '%s', '%s', 'r', 'matn %u so''z %lld', "
			    "%s, %s, 'received', %lld, %u)", (long long)id,
			    1 + rnd(&x) % (round % 2 ? 60 : 5), in,
			    rnd(&x) % 4 ? "sms" : "telegram", rnd(&x) % 50,
			    (long long)id, lgq, itq, (long long)at,
			    rnd(&x) % 3 == 0);
			sqlite3_exec(a, sql, NULL, NULL, NULL);
			sqlite3_exec(b, sql, NULL, NULL, NULL);
			if (rnd(&x) % 7 == 0) {
				/* labelled before it is indexed */
				snprintf(sql, sizeof(sql), "INSERT INTO "
				    "message_labels (message_id, intent, "
				    "staff_id, labelled_at) VALUES (%lld, "
				    "'greeting', 1, 1)", (long long)id);
				sqlite3_exec(a, sql, NULL, NULL, NULL);
				sqlite3_exec(b, sql, NULL, NULL, NULL);
			}
		}
		sqlite3_exec(a, "COMMIT", NULL, NULL, NULL);
		sqlite3_exec(b, "COMMIT", NULL, NULL, NULL);
		/* in uneven batches, as the indexer and the help desk take them */
		do {
			CHECK_INT(store_index_pending(sa, 1 + (int)(rnd(&x) %
			    1500), &n), MJ_OK);
			total += n;
		} while (n > 0);
		sqlite3_exec(b, "INSERT INTO message_feed SELECT id, contact_id, "
		    "direction, channel, lang, intent, body, created_at, "
		    "review FROM messages WHERE id > (SELECT last_id FROM "
		    "index_state) "
		    "ORDER BY id; UPDATE index_state SET last_id = (SELECT "
		    "max(id) FROM messages)", NULL, NULL, NULL);
		{
			char	*sa_ = summaries(a), *sb_ = summaries(b);

			if (strcmp(sa_, sb_) != 0) {
				fprintf(stderr, "round %d:\n%s\n--- trigger:\n"
				    "%s\n", round, sa_, sb_);
				same = 0;
			}
			free(sa_);
			free(sb_);
		}
		/* agents resolve some; a new inbound opens them again */
		sqlite3_exec(a, "UPDATE conversations SET status = 'resolved', "
		    "needs_human = 0 WHERE contact_id % 2 = 0", NULL, NULL, NULL);
		sqlite3_exec(b, "UPDATE conversations SET status = 'resolved', "
		    "needs_human = 0 WHERE contact_id % 2 = 0", NULL, NULL, NULL);
	}
	CHECK(same);
	CHECK_INT(total, id);
	CHECK_INT(scalar(pa, "SELECT last_id FROM index_state"), id);
	CHECK_INT(scalar(pa, "SELECT count(*) FROM conversations WHERE "
	    "needs_human = 1") > 0, 1);
	CHECK_INT(scalar(pa, "SELECT sum(review) FROM conversations"),
	    scalar(pa, "SELECT count(*) FROM messages m WHERE direction = "
	    "'in' AND review = 1 AND id NOT IN (SELECT message_id FROM "
	    "message_labels)"));
	CHECK_INT(scalar(pa, "SELECT sum(review) FROM conversations") > 0, 1);
	/* every message is found by a word of its own */
	CHECK_INT(scalar(pa, "SELECT count(*) FROM messages_fts WHERE "
	    "messages_fts MATCH 'matn'"), id);
	CHECK_INT(scalar(pa, "SELECT count(*) FROM messages_fts WHERE "
	    "messages_fts MATCH '\"42\"'"), scalar(pa, "SELECT count(*) "
	    "FROM messages WHERE ' ' || body || ' ' LIKE '% 42 %'"));
	CHECK_INT(scalar(pa, "SELECT count(*) FROM messages_fts WHERE "
	    "messages_fts MATCH '\"42\"'") > 0, 1);
	sqlite3_close(a);
	sqlite3_close(b);
	store_close(sa);
}

/*
 * The log layer (walvfs.c) and the checkpointer: a derived commit of more
 * than the unix file writes at once (0x1ffff bytes) and more than the
 * buffer holds reaches the file whole and is seen by another connection
 * before store_sync(); the checkpointer copies the log into the database
 * and restarts it, so the log does not grow past what one batch writes.
 */
static void
test_log_layer(const char *path)
{
	static const char *const q_mk = "CREATE TABLE IF NOT EXISTS t_big "
	    "(id INTEGER PRIMARY KEY, v BLOB)";
	static const char *const q_put = "INSERT INTO t_big (v) VALUES "
	    "(zeroblob(?1))";
	struct store	*st;
	sqlite3_stmt	*q;
	int		 pages = -1;
	char		 wal[160];
	struct stat	 sb;

	CHECK_INT(store_open(&st, path), MJ_OK);
	CHECK_INT(store_begin(st), MJ_OK);
	q = store_stmt(st, q_mk);
	CHECK(q != NULL && sqlite3_step(q) == SQLITE_DONE);
	done(q);
	CHECK_INT(store_end(st, 1), MJ_OK);
	store_checkpoint_own(st);
	for (int round = 0; round < 3; round++) {
		/* 3 MiB in one commit: over the buffer, in many writes. */
		CHECK_INT(store_begin_derived(st), MJ_OK);
		for (int i = 0; i < 24; i++) {
			q = store_stmt(st, q_put);
			sqlite3_bind_int(q, 1, 128 * 1024 + 7 * i);
			CHECK(sqlite3_step(q) == SQLITE_DONE);
			done(q);
		}
		CHECK_INT(store_end(st, 1), MJ_OK);
		CHECK_INT(scalar(path, "SELECT count(*) FROM t_big"),
		    24 * (round + 1));
		CHECK_INT(store_sync(st), MJ_OK);
	}
	CHECK_INT(scalar(path, "SELECT sum(length(v)) FROM t_big"),
	    3 * (24 * 128 * 1024 + 7 * (23 * 24 / 2)));
	/* Below the threshold: nothing to do. */
	CHECK_INT(store_checkpoint(st, 1 << 30, &pages), MJ_OK);
	CHECK_INT(pages, 0);
	CHECK_INT(store_checkpoint(st, 1, &pages), MJ_OK);
	CHECK(pages > 3 * 24 * 32);
	/* Restarted: the next commit writes the log from its start. */
	CHECK_INT(store_begin_derived(st), MJ_OK);
	q = store_stmt(st, q_put);
	sqlite3_bind_int(q, 1, 100);
	CHECK(sqlite3_step(q) == SQLITE_DONE);
	done(q);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_checkpoint(st, 1 << 30, &pages), MJ_OK);
	CHECK_INT(pages, 0);
	CHECK_INT(store_checkpoint(st, 1, &pages), MJ_OK);
	CHECK(pages > 0 && pages < 16);
	CHECK_INT(scalar(path, "SELECT count(*) FROM t_big"), 73);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	CHECK(stat(wal, &sb) == 0);
	store_close(st);
	/* Closed: everything is in the database file. */
	CHECK_INT(scalar(path, "SELECT count(*) FROM t_big"), 73);
}

int
main(void)
{
	char	dir[] = "/tmp/store_testXXXXXX", p[6][128];

	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(p[0], sizeof(p[0]), "%s/sub/a.db", dir);
	snprintf(p[1], sizeof(p[1]), "%s/b.db", dir);
	snprintf(p[2], sizeof(p[2]), "%s/c.db", dir);
	snprintf(p[3], sizeof(p[3]), "%s/d.db", dir);
	snprintf(p[4], sizeof(p[4]), "%s/e.db", dir);
	snprintf(p[5], sizeof(p[5]), "%s/f.db", dir);
	test_schema(p[0]);
	test_stmt_cache(p[5]);
	test_index_fold(p[3], p[4]);
	test_contacts_apps_messages(p[1]);
	test_demo(p[0], p[2]);
	test_log_layer(p[4]);
	CHECK_INT(scalar(p[0], "SELECT journal_mode = 'wal' FROM "
	    "pragma_journal_mode"), 1);
	for (int i = 0; i < 6; i++) {
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
