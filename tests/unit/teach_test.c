/*
 * teach_test.c - bot/teach.c and bot/retrain.c: the scrub over a table
 * (tests/fixtures/teach/scrub.tsv), checked against the entity scanners
 * (a placeholder is read as the class it replaces); labels in the store
 * (the summary's count of messages to label, relabelling, outbound and
 * unknown messages); the corpus export; and retrain / activate /
 * rollback through a test trainer.  With MUROJAAT_TEST_PG the store is a
 * database on PostgreSQL (tests/unit/pgtest.h); the models stay in the
 * test's folder.
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bot/retrain.h"
#include "bot/teach.h"
#include "check.h"
#include "pgtest.h"
#include "store/helpdesk.h"
#include "store/index.h"

static long long
scalar(const char *path, const char *q)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	long long	 v = -1;

	if (test_pg()) {
		PGconn		*c = PQconnectdb(path);
		PGresult	*r = PQexec(c, q);

		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
			v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		PQfinish(c);
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

/* "app_no,phone" or "-": the personal entities r holds. */
static void
kinds(const struct nlu_result *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", r->app_no[0] ? "app_no" : "",
	    r->app_no[0] && (r->pinfl[0] || r->phone[0]) ? "," : "",
	    r->pinfl[0] ? "pinfl" : "", r->pinfl[0] && r->phone[0] ? "," : "",
	    r->phone[0] ? "phone" : "");
	if (buf[0] == '\0')
		snprintf(buf, len, "-");
}

static void
test_scrub(const struct nlu *nl)
{
	FILE	*f = fopen("tests/fixtures/teach/scrub.tsv", "r");
	char	 line[1024], *fl[3], got[64];
	int	 cases = 0;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct nlu_result	r;
		char			*out;
		int			 changed;

		if (check_tsv_fields(line, fl, 3) != 3)
			continue;
		cases++;
		out = teach_scrub(fl[0], &changed);
		CHECK_STR(out, fl[1]);
		CHECK_INT(changed, strcmp(fl[0], fl[1]) != 0);
		/* the same classes before and after; only placeholders after */
		nlu_understand(nl, fl[0], strlen(fl[0]), &r);
		kinds(&r, got, sizeof(got));
		CHECK_STR(got, fl[2]);
		nlu_understand(nl, out, strlen(out), &r);
		kinds(&r, got, sizeof(got));
		CHECK_STR(got, fl[2]);
		if (r.app_no[0] != '\0')
			CHECK_STR(r.app_no, TEACH_APP_NO);
		if (r.pinfl[0] != '\0')
			CHECK_STR(r.pinfl, TEACH_PINFL);
		if (r.phone[0] != '\0')
			CHECK_STR(r.phone, TEACH_PHONE);
		free(out);
	}
	fclose(f);
	CHECK(cases >= 15);
}

static void
test_labels_list(void)
{
	size_t	n = 0;

	while (teach_label_at(n) != NULL)
		n++;
	CHECK_INT(n, INTENT__COUNT);	/* every intent but unknown, off_topic */
	CHECK_STR(teach_label_at(0), "greeting");
	CHECK_STR(teach_label_at(n - 1), "off_topic");
	CHECK(teach_label_ok("status_check"));
	CHECK(teach_label_ok("off_topic"));
	CHECK(!teach_label_ok("unknown"));
	CHECK(!teach_label_ok("Status_check"));
	CHECK(!teach_label_ok(""));
	CHECK(!teach_label_ok(NULL));
}

static int64_t
msg(struct store *st, int64_t contact, const char *dir, const char *body,
    const char *intent, int review)
{
	struct msg_row	m = { .contact_id = contact, .direction = dir,
	    .channel = "sms", .req = "r", .body = body, .lang = "uz-Latn",
	    .intent = intent, .delivery = "received", .created_at = 100,
	    .nlu_source = strcmp(dir, "in") == 0 ? "none" : NULL,
	    .review = review };
	int64_t		id = 0;

	CHECK_INT(store_msg_add(st, &m, &id), MJ_OK);
	return id;
}

static int
wrote(const char *buf, const char *line)
{
	return strstr(buf, line) != NULL;
}

static void
test_store_and_export(const char *path, const struct nlu *nl)
{
	struct store			*st;
	struct contact			 c;
	struct hd_staff			 who;
	struct teach_export_stats	 s;
	int64_t				 a, b, out, late, contact = 0;
	char				 prev[32], hash[8], *buf = NULL;
	size_t				 len = 0;
	int				 n;
	FILE				*f;

	CHECK_INT(store_open(&st, path), MJ_OK);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_staff_add(st, "agent1", "agent", "x", 1), MJ_OK);
	CHECK_INT(store_contact_get(st, "sms", "+998901112233", 1, &c), MJ_OK);
	a = msg(st, c.id, "in", "mening raqamim +998 91 123 45 67 ariza "
	    "AR-2025-004512\tqani", "unknown", 1);
	out = msg(st, c.id, "out", "Tushunmadim", "unknown", 0);
	b = msg(st, c.id, "in", "qwzx", "unknown", 1);
	CHECK_INT(store_end(st, 1), MJ_OK);
	CHECK_INT(store_staff_get(st, "agent1", &who, hash, sizeof(hash)),
	    MJ_OK);
	while (store_index_pending(st, 1000, &n) == MJ_OK && n > 0)
		;
	CHECK_INT(scalar(path, "SELECT review FROM conversations"), 2);

	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_hd_label(st, a, "status_check", who.id, 200, &contact,
	    prev, sizeof(prev)), MJ_OK);
	CHECK_INT(contact, c.id);
	CHECK_STR(prev, "");
	/* a second label replaces the first and counts nothing twice */
	CHECK_INT(store_hd_label(st, a, "documents", who.id, 201, &contact,
	    prev, sizeof(prev)), MJ_OK);
	CHECK_STR(prev, "status_check");
	CHECK_INT(store_hd_label(st, out, "greeting", who.id, 201, &contact,
	    prev, sizeof(prev)), MJ_EINPUT);
	CHECK_INT(store_hd_label(st, 999999, "greeting", who.id, 201,
	    &contact, prev, sizeof(prev)), MJ_ENOTFOUND);
	CHECK_INT(store_hd_label(st, b, TEACH_OFF_TOPIC, who.id, 202, &contact,
	    prev, sizeof(prev)), MJ_OK);
	/* labelled before the indexer saw it: the indexer leaves it out */
	late = msg(st, c.id, "in", "zzzq", "unknown", 1);
	CHECK_INT(store_hd_label(st, late, "help", who.id, 203, &contact,
	    prev, sizeof(prev)), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	while (store_index_pending(st, 1000, &n) == MJ_OK && n > 0)
		;
	CHECK_INT(scalar(path, "SELECT review FROM conversations"), 0);
	CHECK_INT(scalar(path, "SELECT count(*) FROM message_labels"), 3);
	CHECK_INT(scalar(path, "SELECT labelled_at FROM message_labels WHERE "
	    "intent = 'documents'"), 201);

	/* the export: placeholders, one line per message, entities found */
	f = open_memstream(&buf, &len);
	CHECK_INT(teach_export(st, nl, f, &s), MJ_OK);
	fclose(f);
	CHECK_INT(s.written, 3);
	CHECK_INT(s.skipped, 0);
	CHECK(buf != NULL && buf[0] == '#');
	CHECK(wrote(buf, "\nmening raqamim +998 90 000 00 00 ariza "
	    "AR-2000-000001 qani\tuz-Latn\tdocuments\tapp_no=AR-2000-000001;"
	    "phone=+998900000000\n"));
	CHECK(wrote(buf, "\nqwzx\tuz-Latn\toff_topic\t\n"));
	CHECK(wrote(buf, "\nzzzq\tuz-Latn\thelp\t\n"));
	CHECK(!wrote(buf, "91 123"));
	CHECK(!wrote(buf, "004512"));
	CHECK(!wrote(buf, "Tushunmadim"));
	free(buf);
	/* without nlu: the same text, no entities */
	buf = NULL;
	f = open_memstream(&buf, &len);
	CHECK_INT(teach_export(st, NULL, f, &s), MJ_OK);
	fclose(f);
	CHECK(wrote(buf, "AR-2000-000001 qani\tuz-Latn\tdocuments\t\n"));
	free(buf);
	store_close(st);
}

/* ---- retrain through a test trainer */

struct fake {
	double	cv, current;
	int	fail, reload_fail, reloads;
	char	labels[4096];		/* what it was given */
};

static int
fake_train(void *ctx, const char *labels_tsv, const char *out_path,
    double *cv_acc, char *err, size_t errlen)
{
	struct fake	*k = ctx;
	FILE		*in = fopen(labels_tsv, "r"), *o;
	size_t		 n = 0;

	if (in != NULL) {
		n = fread(k->labels, 1, sizeof(k->labels) - 1, in);
		fclose(in);
	}
	k->labels[n] = '\0';
	if (k->fail) {
		snprintf(err, errlen, "fewer than 2 intents");
		return -1;
	}
	if ((o = fopen(out_path, "w")) == NULL)
		return -1;
	fprintf(o, "model %.3f\n", k->cv);
	fclose(o);
	*cv_acc = k->cv;
	return 0;
}

static double
fake_current(void *ctx)
{
	return ((struct fake *)ctx)->current;
}

static int
fake_reload(void *ctx, const char *path, char *err, size_t errlen)
{
	struct fake *k = ctx;

	(void)path;
	k->reloads++;
	if (k->reload_fail) {
		snprintf(err, errlen, "bad checksum");
		return -1;
	}
	return 0;
}

/* The first line of dir/name, or "" when there is no such file. */
static const char *
file_line(const char *dir, const char *name, char *buf, size_t len)
{
	char	path[300];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf[0] = '\0';
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(buf, (int)len, f) == NULL)
			buf[0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	return buf;
}

/* path: the SQLite file beside the models; db: what the store opens. */
static void
test_retrain(const char *dir, const char *path, const char *db)
{
	struct conf		 c;
	struct store		*st;
	struct fake		 k = { .cv = 0.9, .current = -1 };
	struct retrain_trainer	 t = { &k, fake_train, fake_current,
	    fake_reload };
	struct retrain_result	 r;
	struct retrain_status	 s;
	char			 err[256], line[64], probe[300], path2[300];

	memset(&c, 0, sizeof(c));
	snprintf(c.db_path, sizeof(c.db_path), "%s", path);
	CHECK_INT(store_open(&st, db), MJ_OK);

	retrain_set_trainer(NULL);
	CHECK_INT(retrain_run(&c, st, &r), MJ_ECONFIG);
	retrain_status(&c, &s);
	CHECK_INT(s.trainer, 0);
	CHECK_INT(retrain_activate(&c, err, sizeof(err)), MJ_ENOTFOUND);
	CHECK_INT(retrain_rollback(&c, err, sizeof(err)), MJ_ENOTFOUND);

	retrain_set_trainer(&t);
	CHECK_INT(retrain_run(&c, st, &r), MJ_OK);
	CHECK(fabs(r.new_cv - 0.9) < 1e-9);
	CHECK(r.current_cv < 0);
	CHECK_INT(r.labels, 3);
	/* the trainer was given the scrubbed labels */
	CHECK(strstr(k.labels, "AR-2000-000001") != NULL);
	CHECK(strstr(k.labels, "004512") == NULL);
	CHECK(strstr(k.labels, "\tdocuments\t") != NULL);
	CHECK_STR(file_line(dir, "model.new.bin", line, sizeof(line)),
	    "model 0.900");
	/* nothing left behind but the model */
	snprintf(probe, sizeof(probe), "%s/model.new.bin.part", dir);
	CHECK(access(probe, F_OK) != 0);
	CHECK_INT(scalar(db, "SELECT 1"), 1);

	CHECK_INT(retrain_activate(&c, err, sizeof(err)), MJ_OK);
	CHECK_INT(k.reloads, 1);
	CHECK_STR(file_line(dir, "model.bin", line, sizeof(line)),
	    "model 0.900");
	CHECK_STR(file_line(dir, "model.new.bin", line, sizeof(line)), "");
	/* no model.prev.bin: rolling back puts the active one aside (the
	 * service falls back to the model built beside the program) */
	CHECK_INT(retrain_rollback(&c, err, sizeof(err)), MJ_OK);
	CHECK_INT(k.reloads, 2);
	CHECK_STR(file_line(dir, "model.bin", line, sizeof(line)), "");
	CHECK_STR(file_line(dir, "model.rolledback.bin", line, sizeof(line)),
	    "model 0.900");
	CHECK_INT(retrain_rollback(&c, err, sizeof(err)), MJ_ENOTFOUND);
	snprintf(probe, sizeof(probe), "%s/model.rolledback.bin", dir);
	snprintf(path2, sizeof(path2), "%s/model.bin", dir);
	CHECK_INT(rename(probe, path2), 0);

	k.cv = 0.95;
	k.current = 0.9;
	CHECK_INT(retrain_run(&c, st, &r), MJ_OK);
	CHECK(fabs(r.current_cv - 0.9) < 1e-9);
	/* a model that does not load changes nothing */
	k.reload_fail = 1;
	CHECK_INT(retrain_activate(&c, err, sizeof(err)), MJ_EUPSTREAM);
	CHECK_STR(err, "bad checksum");
	CHECK_STR(file_line(dir, "model.bin", line, sizeof(line)),
	    "model 0.900");
	CHECK_STR(file_line(dir, "model.new.bin", line, sizeof(line)),
	    "model 0.950");
	k.reload_fail = 0;
	CHECK_INT(retrain_activate(&c, err, sizeof(err)), MJ_OK);
	CHECK_STR(file_line(dir, "model.bin", line, sizeof(line)),
	    "model 0.950");
	CHECK_STR(file_line(dir, "model.prev.bin", line, sizeof(line)),
	    "model 0.900");
	retrain_status(&c, &s);
	CHECK_INT(s.trainer + s.active + s.prev, 3);
	CHECK_INT(s.fresh + s.running, 0);

	CHECK_INT(retrain_rollback(&c, err, sizeof(err)), MJ_OK);
	CHECK_STR(file_line(dir, "model.bin", line, sizeof(line)),
	    "model 0.900");
	CHECK_STR(file_line(dir, "model.rolledback.bin", line, sizeof(line)),
	    "model 0.950");
	CHECK_STR(file_line(dir, "model.prev.bin", line, sizeof(line)), "");

	/* a failed training keeps no model and says why */
	k.fail = 1;
	CHECK_INT(retrain_run(&c, st, &r), MJ_EUPSTREAM);
	CHECK_STR(r.err, "fewer than 2 intents");
	CHECK_STR(file_line(dir, "model.new.bin", line, sizeof(line)), "");
	retrain_set_trainer(NULL);
	store_close(st);
	for (const char *const *n = (const char *const []){ "model.bin",
	    "model.rolledback.bin", NULL }; *n != NULL; n++) {
		snprintf(probe, sizeof(probe), "%s/%s", dir, *n);
		unlink(probe);
	}
}

int
main(void)
{
	char		 dir[] = "/tmp/teach_testXXXXXX", path[128], where[256],
			 url[512];
	const char	*db;
	struct nlu	*nl = NULL;

	if (mkdtemp(dir) == NULL)
		return 2;
	if (nlu_load(&nl, "intents/patterns", where, sizeof(where)) != MJ_OK) {
		fprintf(stderr, "nlu_load: %s\n", where);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/m.db", dir);
	db = test_store_target(url, sizeof(url), path);
	test_labels_list();
	test_scrub(nl);
	test_store_and_export(db, nl);
	test_retrain(dir, path, db);
	nlu_free(nl);
	{
		char side[160];

		unlink(path);
		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
	}
	rmdir(dir);
	return check_done("teach_test");
}
