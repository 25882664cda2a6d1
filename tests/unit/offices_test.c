/*
 * offices_test.c - the Inson centres' data and its corrections (bot/offices.h):
 *   tests/fixtures/offices/check.tsv    phones, times and days, accepted or
 *       refused, and what a phone becomes;
 *   tests/fixtures/offices/replies.tsv  the office reply in every language
 *       after a correction (landmark, phone, days without a catalogue
 *       entry);
 * and a whole office: refused fields name themselves, a correction over
 * the SMS budget or of no district changes nothing, names and spellings
 * stay, and the TSV export carries the landmark back in.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/elig_text.h"
#include "bot/offices.h"
#include "bot/rules_data.h"
#include "check.h"
#include "locales/catalog.h"
#include "store/programmes.h"
#include "store/store.h"
#include "tests/unit/pgtest.h"

#define CHECK_TSV	"tests/fixtures/offices/check.tsv"
#define REPLIES_TSV	"tests/fixtures/offices/replies.tsv"

/* Split a TSV line in place into at most max fields; the count. */
static size_t
split(char *line, char **f, size_t max)
{
	size_t	n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		if ((line = strchr(line, '\t')) == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

static void
test_check_table(void)
{
	FILE	*fp = fopen(CHECK_TSV, "r");
	char	 line[512], *f[4], out[24];
	int	 n = 0, header = 0;

	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		int ok, want;

		if (line[0] == '#')
			continue;
		if (split(line, f, 4) != 4) {
			fprintf(stderr, "%s: a line without 4 fields\n",
			    CHECK_TSV);
			check_failed++;
			continue;
		}
		if (!header++)
			continue;
		want = atoi(f[2]);
		if (strcmp(f[0], "phone") == 0) {
			ok = offices_phone_norm(f[1], out, sizeof(out)) == 0;
			if (ok && want)
				CHECK_STR(out, f[3]);
		} else if (strcmp(f[0], "time") == 0)
			ok = offices_time_ok(f[1]);
		else
			ok = offices_days_ok(f[1]);
		if (ok != want)
			fprintf(stderr, "%s \"%s\": got %d\n", f[0], f[1], ok);
		CHECK_INT(ok, want);
		n++;
	}
	fclose(fp);
	CHECK(n >= 35);
}

static void
fill(struct office *o)
{
	static const char *const addr[LANG__COUNT] = { "Test koʻchasi 1",
	    "Тест кўчаси 1", "ул. Тестовая, 1", "1 Test street" };
	static const char *const mark[LANG__COUNT] = { "bozor yonida",
	    "бозор ёнида", "рядом с базаром", "near the bazaar" };

	snprintf(o->days, sizeof(o->days), "1-6");
	snprintf(o->opens, sizeof(o->opens), "08:30");
	snprintf(o->closes, sizeof(o->closes), "17:00");
	snprintf(o->phone, sizeof(o->phone), "+998 62 375-00-00");
	for (int l = 0; l < LANG__COUNT; l++) {
		snprintf(o->address[l], sizeof(o->address[l]), "%s", addr[l]);
		snprintf(o->landmark[l], sizeof(o->landmark[l]), "%s", mark[l]);
	}
}

/* Each bad office is refused with the field named. */
static void
test_check_office(const struct office *good)
{
	struct office	*o = malloc(sizeof(*o));
	char		 field[32], err[200];
	static const struct {
		const char	*field;
		int		 what;
	} cases[] = { { "closes", 0 }, { "closes", 1 }, { "phone", 2 },
	    { "address.ru", 3 }, { "landmark.en", 4 }, { "address.uz-Cyrl", 5 },
	    { "days", 6 }, { "opens", 7 } };

	if (o == NULL)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		*o = *good;
		switch (cases[i].what) {
		case 0:
			snprintf(o->closes, sizeof(o->closes), "08:30");
			break;
		case 1:
			snprintf(o->closes, sizeof(o->closes), "25:00");
			break;
		case 2:
			snprintf(o->phone, sizeof(o->phone), "+998 62 375");
			break;
		case 3:
			snprintf(o->address[LANG_RU], sizeof(o->address[0]),
			    "ул.\tТестовая");
			break;
		case 4:
			snprintf(o->landmark[LANG_EN], sizeof(o->landmark[0]),
			    "near\nthe bazaar");
			break;
		case 5:
			o->address[LANG_UZ_CYRL][0] = '\0';
			break;
		case 6:
			snprintf(o->days, sizeof(o->days), "0-5");
			break;
		case 7:
			snprintf(o->opens, sizeof(o->opens), "8:30");
			break;
		}
		CHECK_INT(offices_check(o, field, sizeof(field), err,
		    sizeof(err)), -1);
		CHECK_STR(field, cases[i].field);
		CHECK(strncmp(err, cases[i].field, strlen(cases[i].field)) == 0);
	}
	*o = *good;
	CHECK_INT(offices_check(o, field, sizeof(field), err, sizeof(err)), 0);
	CHECK_STR(o->phone, "+998623750000");
	free(o);
}

/* The replies of case c of the fixture against o, in every language. */
static void
check_replies(const struct catalog *cat, const struct office *o, int c)
{
	FILE	*fp = fopen(REPLIES_TSV, "r");
	char	 line[1024], *f[3], buf[ELIG_TEXT_MAX];
	int	 n = 0, header = 0;

	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		int l;

		if (line[0] == '#' || split(line, f, 3) != 3 || !header++ ||
		    atoi(f[0]) != c)
			continue;
		CHECK((l = lang_from_tag(f[1])) >= 0);
		if (l < 0)
			continue;
		CHECK_INT(elig_office(cat, (enum lang)l, o, buf, sizeof(buf)),
		    MJ_OK);
		CHECK_STR(buf, f[2]);
		n++;
	}
	fclose(fp);
	CHECK_INT(n, LANG__COUNT);
}

static void
test_edit(struct store *st, const struct catalog *cat, const char *dir)
{
	struct office	*o = malloc(sizeof(*o)), *before = malloc(sizeof(*o)),
			*got = malloc(sizeof(*o));
	char		 field[32], err[200], path[512], where[512], line[8192];
	int		 seg[LANG__COUNT];
	FILE		*fp;

	if (o == NULL || before == NULL || got == NULL)
		goto out;
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_rules_office_get(st, "xiva_sh", before), MJ_OK);
	store_end(st, 0);
	CHECK(before->landmark[LANG_UZ_LATN][0] == '\0');
	*o = *before;
	fill(o);
	test_check_office(o);

	/* a bad phone: nothing changes */
	*o = *before;
	fill(o);
	snprintf(o->phone, sizeof(o->phone), "62 375 00 00");
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(offices_edit(st, cat, 2, o, seg, field, sizeof(field), err,
	    sizeof(err)), MJ_EINPUT);
	CHECK_STR(field, "phone");
	store_end(st, 0);

	/* over two segments in Russian (UCS-2: 134 characters) */
	*o = *before;
	fill(o);
	memset(o->landmark[LANG_RU], 0, sizeof(o->landmark[0]));
	for (size_t i = 0; i + 2 < 152; i += 2)
		memcpy(o->landmark[LANG_RU] + i, "ж", 2);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(offices_edit(st, cat, 2, o, seg, field, sizeof(field), err,
	    sizeof(err)), MJ_ETOOBIG);
	CHECK_STR(field, "ru");
	store_end(st, 0);

	/* no such district */
	*o = *before;
	fill(o);
	snprintf(o->district, sizeof(o->district), "nowhere");
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(offices_edit(st, cat, 2, o, seg, field, sizeof(field), err,
	    sizeof(err)), MJ_ENOTFOUND);
	store_end(st, 0);

	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_rules_office_get(st, "xiva_sh", got), MJ_OK);
	store_end(st, 0);
	CHECK(memcmp(got, before, sizeof(*got)) == 0);

	/* the correction: stored, names and spellings kept */
	*o = *before;
	fill(o);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(offices_edit(st, cat, 2, o, seg, field, sizeof(field), err,
	    sizeof(err)), MJ_OK);
	CHECK_INT(store_end(st, 1), MJ_OK);
	for (int l = 0; l < LANG__COUNT; l++)
		CHECK(seg[l] >= 1 && seg[l] <= 2);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_rules_office_get(st, "xiva_sh", got), MJ_OK);
	store_end(st, 0);
	CHECK_STR(got->phone, "+998623750000");
	CHECK_STR(got->days, "1-6");
	CHECK_STR(got->landmark[LANG_RU], "рядом с базаром");
	CHECK_STR(got->address[LANG_EN], "1 Test street");
	CHECK_STR(got->name[LANG_RU], before->name[LANG_RU]);
	CHECK_STR(got->aliases, before->aliases);
	check_replies(cat, got, 1);

	/* days without a catalogue entry; landmark and phone taken away */
	*o = *got;
	snprintf(o->days, sizeof(o->days), "2-6");
	snprintf(o->opens, sizeof(o->opens), "09:00");
	snprintf(o->closes, sizeof(o->closes), "18:00");
	o->phone[0] = '\0';
	for (int l = 0; l < LANG__COUNT; l++)
		o->landmark[l][0] = '\0';
	CHECK_INT(offices_check(o, field, sizeof(field), err, sizeof(err)), 0);
	check_replies(cat, o, 2);

	/* the export carries the landmark; importing it gives it back */
	snprintf(path, sizeof(path), "%s/offices.tsv", dir);
	CHECK((fp = fopen(path, "w")) != NULL);
	if (fp != NULL) {
		CHECK_INT(offices_export(st, fp), MJ_OK);
		fclose(fp);
	}
	CHECK((fp = fopen(path, "r")) != NULL);
	if (fp != NULL) {
		CHECK(fgets(line, sizeof(line), fp) != NULL);
		CHECK(strstr(line, "\tlandmark.uz-Latn\tlandmark.uz-Cyrl\t"
		    "landmark.ru\tlandmark.en\taliases\t") != NULL);
		fclose(fp);
	}
	CHECK_INT(offices_import(st, cat, 2, path, where, sizeof(where)),
	    MJ_OK);
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_rules_office_get(st, "xiva_sh", o), MJ_OK);
	store_end(st, 0);
	CHECK_STR(o->landmark[LANG_UZ_CYRL], "бозор ёнида");
	CHECK_STR(o->phone, "+998623750000");

	/* a TSV phone not in +998 form is refused with its line */
	CHECK((fp = fopen(path, "a")) != NULL);
	if (fp != NULL) {
		fputs("bad\txorazm\t1-5\t09:00\t18:00\t8 62 375 00 00\t1\tA\tA\t"
		    "A\tA\tB\tB\tB\tB\t\t\t\t\t\t\n", fp);
		fclose(fp);
	}
	CHECK_INT(offices_import(st, cat, 2, path, where, sizeof(where)),
	    MJ_EINPUT);
	CHECK(strstr(where, ": phone: ") != NULL);
out:
	free(o);
	free(before);
	free(got);
}

/* Whether node st's spellings hold line ("alias\tdistrict\n"): 1, 0, -1. */
static int
aliases_hold(struct store *st, const char *line)
{
	char	*all = NULL;
	int	 has = -1;

	if (store_begin(st) != MJ_OK)
		return -1;
	if (store_rules_aliases(st, &all) == MJ_OK)
		has = strstr(all, line) != NULL;
	store_end(st, 0);
	free(all);
	return has;
}

/*
 * PostgreSQL: two stores on one database stand for two nodes.  An office
 * an admin corrects on one is what the other answers with; a spelling one
 * adds is in the other's spellings, which it keeps in memory until the
 * data changes on any node.
 */
static void
test_two_nodes(struct store *a, const char *url)
{
	struct store	*b = NULL;
	struct office	*o = malloc(sizeof(*o)), *was = malloc(sizeof(*o));
	char		 spell[sizeof(o->aliases) + 32];

	CHECK(o != NULL && was != NULL);
	CHECK_INT(store_open(&b, url), MJ_OK);
	if (o == NULL || was == NULL || b == NULL)
		goto out;
	CHECK_INT(store_begin(b), MJ_OK);
	CHECK_INT(store_rules_office_get(b, "xiva_sh", was), MJ_OK);
	store_end(b, 0);
	CHECK_INT(aliases_hold(b, "xivatown\txiva_sh\n"), 0);

	/* a corrects the office; b answers with the correction */
	*o = *was;
	snprintf(o->landmark[LANG_EN], sizeof(o->landmark[0]), "by the gate");
	snprintf(o->closes, sizeof(o->closes), "17:00");
	CHECK_INT(store_begin(a), MJ_OK);
	CHECK_INT(store_rules_office_edit(a, o), MJ_OK);
	CHECK_INT(store_end(a, 1), MJ_OK);
	CHECK_INT(store_begin(b), MJ_OK);
	CHECK_INT(store_rules_office_get(b, "xiva_sh", o), MJ_OK);
	store_end(b, 0);
	CHECK_STR(o->landmark[LANG_EN], "by the gate");
	CHECK_STR(o->closes, "17:00");
	CHECK_STR(o->aliases, was->aliases);

	/* a adds a spelling: b's spellings have it, and lose it again */
	snprintf(spell, sizeof(spell), "%s|xivatown", was->aliases);
	CHECK_INT(store_begin(a), MJ_OK);
	CHECK_INT(store_rules_office_put(a, was, spell), MJ_OK);
	CHECK_INT(aliases_hold(b, "xivatown\txiva_sh\n"), 0);
	CHECK_INT(store_end(a, 1), MJ_OK);
	CHECK_INT(aliases_hold(b, "xivatown\txiva_sh\n"), 1);
	CHECK_INT(store_begin(a), MJ_OK);
	CHECK_INT(store_rules_office_put(a, was, was->aliases), MJ_OK);
	CHECK_INT(store_end(a, 1), MJ_OK);
	CHECK_INT(aliases_hold(b, "xivatown\txiva_sh\n"), 0);
	CHECK_INT(aliases_hold(a, "xivatown\txiva_sh\n"), 0);

	/* and the office is as it was, on both */
	CHECK_INT(store_begin(b), MJ_OK);
	CHECK_INT(store_rules_office_get(b, "xiva_sh", o), MJ_OK);
	store_end(b, 0);
	CHECK(memcmp(o, was, sizeof(*o)) == 0);
out:
	store_close(b);
	free(o);
	free(was);
}

int
main(void)
{
	char		 dir[] = "/tmp/offices_test.XXXXXX", db[600], where[512],
			 url[600];
	struct store	*st = NULL;
	struct catalog	*cat = NULL;

	test_check_table();
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(db, sizeof(db), "%s/t.db", dir);
	CHECK_INT(catalog_load(&cat, "locales", where, sizeof(where)), MJ_OK);
	CHECK_INT(store_open(&st, test_store_target(url, sizeof(url), db)),
	    MJ_OK);
	if (st != NULL && cat != NULL) {
		CHECK_INT(rules_data_seed(st, cat, 2, "data", where,
		    sizeof(where)), MJ_OK);
		test_edit(st, cat, dir);
		if (test_pg())
			test_two_nodes(st, url);
	}
	store_close(st);
	catalog_free(cat);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			check_failed++;
	}
	return check_done("offices_test");
}
