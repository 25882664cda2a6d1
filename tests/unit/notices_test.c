/*
 * notices_test.c - bot/notices.c: a status change queues a notice to the
 * applicant's contact, in the language they last wrote in; the same
 * status again tells nobody; an applicant who opted out is not told; SMS
 * notices wait out the quiet hours (notices_after_quiet, and the outbox
 * row's next try); bad updates and a CSV with a bad row change nothing.
 */
#include "bot/notices.h"
#include "bot_kit.h"
#include "check.h"

/* 2025-06-02 in Tashkent (UTC+5) at h:m, as Unix seconds. */
#define TASHKENT(h, m)	(1748822400LL + ((h) - 5) * 3600LL + (m) * 60LL)

static void
test_quiet(void)
{
	static const struct {
		const char	*spec;
		int64_t		 now, want;
	} cases[] = {
		{ "22:00-08:00", TASHKENT(10, 0), TASHKENT(10, 0) },
		{ "22:00-08:00", TASHKENT(23, 30), TASHKENT(32, 0) },
		{ "22:00-08:00", TASHKENT(7, 59), TASHKENT(8, 0) },
		{ "22:00-08:00", TASHKENT(22, 0), TASHKENT(32, 0) },
		{ "22:00-08:00", TASHKENT(8, 0), TASHKENT(8, 0) },
		{ "13:00-14:00", TASHKENT(13, 30), TASHKENT(14, 0) },
		{ "", TASHKENT(23, 30), TASHKENT(23, 30) },
		{ NULL, TASHKENT(23, 30), TASHKENT(23, 30) },
		{ "22-08", TASHKENT(23, 30), -1 },
		{ "25:00-08:00", TASHKENT(23, 30), -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_INT(notices_after_quiet(cases[i].spec, cases[i].now),
		    cases[i].want);
}

static long long
outbox_rows(struct kit *k)
{
	return kit_count(k, "SELECT count(*) FROM outbox");
}

static void
test_change(struct kit *k)
{
	struct app_update	u = { .number = KIT_APP2, .status = "approved",
				    .decided = "2025-12-01",
				    .payment = "2025-12-04" };
	struct notice_stats	ns;
	char			prog[256];
	long long		before;

	/* The applicant last wrote in Russian, by SMS. */
	kit_say(k, "sms", KIT_PHONE2, KIT_PHONE2, "Здравствуйте");
	before = outbox_rows(k);
	memset(&ns, 0, sizeof(ns));
	CHECK_INT(notices_apply(k->bot, &u, "registry", k->now, &ns), MJ_OK);
	CHECK_INT(ns.changed, 1);
	CHECK_INT(ns.notified, 1);
	CHECK_INT(outbox_rows(k), before + 1);
	snprintf(prog, sizeof(prog), "%s", kit_want(k, "sms", LANG_RU,
	    "programme.material_aid", NULL));
	CHECK_STR(kit_sql(k, "SELECT m.body FROM messages m JOIN outbox o ON "
	    "o.message_id = m.id ORDER BY o.id DESC LIMIT 1"),
	    kit_want(k, "sms", LANG_RU, "notice.approved", "app_no", KIT_APP2,
	    "programme", prog, "decided", kit_date(k, LANG_RU, 2025, 12, 1),
	    "payment", kit_date(k, LANG_RU, 2025, 12, 4), NULL));
	CHECK_STR(kit_sql(k, "SELECT o.channel || ' ' || o.address || ' ' || "
	    "o.state || ' ' || m.intent || ' ' || m.lang FROM outbox o JOIN "
	    "messages m ON m.id = o.message_id ORDER BY o.id DESC LIMIT 1"),
	    "sms " KIT_PHONE2 " pending notice ru");
	CHECK_STR(kit_sql(k, "SELECT status FROM applications WHERE number = '"
	    KIT_APP2 "'"), "approved");

	/* The same status again tells nobody. */
	memset(&ns, 0, sizeof(ns));
	CHECK_INT(notices_apply(k->bot, &u, "registry", k->now, &ns), MJ_OK);
	CHECK_INT(ns.unchanged, 1);
	CHECK_INT(ns.notified, 0);
	CHECK_INT(outbox_rows(k), before + 1);
}

static void
test_quiet_hours(struct kit *k)
{
	struct app_update	u = { .number = KIT_APP2, .status = "paid",
				    .decided = "2025-12-01",
				    .payment = "2025-12-04" };
	struct notice_stats	ns;
	char			want[32];

	/* sms.quiet_hours is 22:00-08:00 by default: 23:30 waits. */
	memset(&ns, 0, sizeof(ns));
	CHECK_INT(notices_apply(k->bot, &u, "registry", TASHKENT(23, 30),
	    &ns), MJ_OK);
	CHECK_INT(ns.notified, 1);
	snprintf(want, sizeof(want), "%lld", (long long)TASHKENT(32, 0));
	CHECK_STR(kit_sql(k, "SELECT next_try_at FROM outbox ORDER BY id DESC "
	    "LIMIT 1"), want);
	snprintf(want, sizeof(want), "%lld", (long long)TASHKENT(23, 30));
	CHECK_STR(kit_sql(k, "SELECT created_at FROM outbox ORDER BY id DESC "
	    "LIMIT 1"), want);
}

static void
test_opted_out(struct kit *k)
{
	struct app_update	u = { .number = KIT_APP1, .status = "paid",
				    .decided = "2025-03-01",
				    .payment = "2025-03-04" };
	struct notice_stats	ns;
	long long		before;

	CHECK_STR(kit_say(k, "sms", KIT_PHONE1, KIT_PHONE1, "STOP"),
	    kit_want(k, "sms", LANG_UZ_LATN, "optout.done", NULL));
	before = outbox_rows(k);
	memset(&ns, 0, sizeof(ns));
	CHECK_INT(notices_apply(k->bot, &u, "registry", k->now, &ns), MJ_OK);
	CHECK_INT(ns.changed, 1);
	CHECK_INT(ns.opted_out, 1);
	CHECK_INT(ns.notified, 0);
	CHECK_INT(outbox_rows(k), before);
	/* The status itself changed all the same. */
	CHECK_STR(kit_sql(k, "SELECT status FROM applications WHERE number = '"
	    KIT_APP1 "'"), "paid");
}

static void
test_bad(struct kit *k)
{
	struct app_update	 bad = { .number = KIT_APP2, .status = "won",
				    .decided = "2025-12-01" };
	struct app_update	 unknown = { .number = "AR-2025-999999",
				    .status = "approved",
				    .decided = "2025-12-01" };
	struct notice_stats	 ns;
	char			 err[256] = "", path[160], *log = NULL;
	size_t			 loglen = 0;
	FILE			*f, *errs;
	long long		 before = outbox_rows(k);

	CHECK_INT(notices_check(&bad, err, sizeof(err)), MJ_EINPUT);
	CHECK(err[0] != '\0');
	memset(&ns, 0, sizeof(ns));
	CHECK_INT(notices_apply(k->bot, &unknown, "registry", k->now, &ns),
	    MJ_ENOTFOUND);

	/* One bad row: nothing of the file is applied. */
	snprintf(path, sizeof(path), "%s/feed.csv", k->dir);
	if ((f = fopen(path, "w")) == NULL) {
		CHECK(f != NULL);
		return;
	}
	fprintf(f, "number,status,decided_at\n"
	    KIT_APP2 ",rejected,2025-12-10\n"
	    KIT_APP1 ",maybe,2025-12-10\n");
	fclose(f);
	errs = open_memstream(&log, &loglen);
	CHECK_INT(notices_import_csv(k->bot, path, errs, &ns), MJ_EINPUT);
	fclose(errs);
	CHECK(log != NULL && strstr(log, "feed.csv:3: ") != NULL);
	CHECK(log != NULL && strstr(log, "feed.csv:2: ") == NULL);
	free(log);
	CHECK_STR(kit_sql(k, "SELECT status FROM applications WHERE number = '"
	    KIT_APP2 "'"), "paid");
	CHECK_INT(outbox_rows(k), before);
	unlink(path);
}

int
main(void)
{
	struct kit	k;

	test_quiet();
	if (kit_open(&k, "notices_test") == -1)
		return 2;
	test_change(&k);
	test_quiet_hours(&k);
	test_opted_out(&k);
	test_bad(&k);
	kit_close(&k);
	return check_done("notices_test");
}
