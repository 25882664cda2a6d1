/*
 * catalog_test.c - locales/catalog.c and plural.c against the real
 * catalogues in locales/ (or $MUROJAAT_LOCALES_DIR), the broken ones in
 * tests/fixtures/locales_bad/, and tests/fixtures/plurals.tsv.
 * Run from the project root.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locales/catalog.h"
#include "locales/plural.h"
#include "locales/sms.h"
#include "tests/unit/check.h"

#define BAD	"tests/fixtures/locales_bad"

static const char *
locales_dir(void)
{
	const char	*d = getenv("MUROJAAT_LOCALES_DIR");

	return d && *d ? d : "locales";
}


/* Sample values as bot/ passes them; programme is set per language. */
struct sample {
	char		 date[64], *prog;
	struct msg_arg	 args[24];
};
#define NARGS	(sizeof(((struct sample *)0)->args) / sizeof(struct msg_arg))

static void
sample_init(struct sample *s, const struct catalog *c, enum lang l,
    const char *prog)
{
	memset(s, 0, sizeof *s);
	CHECK_INT(catalog_date(c, l, 2025, 9, 28, s->date, sizeof s->date),
	    MJ_OK);
	s->prog = strdup(prog);
	s->args[0] = (struct msg_arg){ "app_no", "AR-2025-000001" };
	s->args[1] = (struct msg_arg){ "programme", s->prog };
	s->args[2] = (struct msg_arg){ "submitted", s->date };
	s->args[3] = (struct msg_arg){ "decided", s->date };
	s->args[4] = (struct msg_arg){ "payment", s->date };
	s->args[5] = (struct msg_arg){ "year", "2025" };	/* date.format */
	s->args[6] = (struct msg_arg){ "month", "sentabr" };
	s->args[7] = (struct msg_arg){ "day", "28" };
	/* eligibility (bot/elig_text.c), as locales/cli.c samples them */
	s->args[8] = (struct msg_arg){ "value", "714 999" };
	s->args[9] = (struct msg_arg){ "limit", "1 072 500" };
	s->args[10] = (struct msg_arg){ "limit2", "30" };
	s->args[11] = (struct msg_arg){ "amount", "1 320 000" };
	s->args[12] = (struct msg_arg){ "months", "12" };
	s->args[13] = (struct msg_arg){ "apply", "my.gov.uz, Inson markazi, DXM" };
	s->args[14] = (struct msg_arg){ "documents", "pasport yoki ID-karta" };
	s->args[15] = (struct msg_arg){ "timeline",
	    "16-sanagacha ariza: 1-sanagacha qaror" };
	s->args[16] = (struct msg_arg){ "who", "oilada 18 yoshgacha bolalar bor" };
	s->args[17] = (struct msg_arg){ "district", "Qoʻshkoʻpir tumani" };
	s->args[18] = (struct msg_arg){ "address", "Qoʻshkoʻpir, tuman markazi" };
	s->args[19] = (struct msg_arg){ "days", "Du-Ju" };
	s->args[20] = (struct msg_arg){ "open", "09:00" };
	s->args[21] = (struct msg_arg){ "close", "18:00" };
	s->args[22] = (struct msg_arg){ "landmark", "tuman hokimligi yonida" };
	s->args[23] = (struct msg_arg){ "phone", "+998622245678" };
}

static struct sms_info
cost(const struct catalog *c, enum lang l, const char *id,
    const struct sample *s)
{
	struct sms_info	 si = { SMS_UCS2, 9999, 99 };
	char		*t = NULL, *p = NULL;

	if (catalog_render_n(c, l, id, 25, s->args, NARGS, &t) == MJ_OK &&
	    sms_prepare(t, strlen(t), &p) == MJ_OK)
		sms_measure(p, strlen(p), &si);
	free(t);
	free(p);
	return si;
}

static void
test_bad_catalogues(void)
{
	FILE		*fp = fopen(BAD "/cases.tsv", "r");
	char		*line = NULL, *f[4], where[512], want[1024], dir[256];
	size_t		 cap = 0;
	int		 rows = 0;
	struct catalog	*c;

	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	while (getline(&line, &cap, fp) > 0) {
		enum mj_err	 rc;
		const char	*at;
		size_t		 w = 0;

		if (check_tsv_fields(line, f, 4) < 3)
			continue;
		rows++;
		snprintf(dir, sizeof dir, BAD "/%s", f[0]);
		/* "@" in the table stands for the case's directory. */
		for (at = f[2]; *at && w + strlen(dir) + 1 < sizeof want; at++)
			if (*at == '@')
				w += (size_t)sprintf(want + w, "%s", dir);
			else
				want[w++] = *at;
		want[w] = '\0';
		c = (struct catalog *)1;
		rc = catalog_load(&c, dir, where, sizeof where);
		CHECK(c == NULL);
		CHECK_INT(rc, strcmp(f[1], "MJ_ENOTFOUND") == 0 ?
		    MJ_ENOTFOUND : MJ_EINPUT);
		CHECK_STR(where, want);
	}
	CHECK(rows >= 14);
	free(line);
	fclose(fp);

	/* The base the broken cases differ from is fine. */
	CHECK_INT(catalog_load(&c, BAD "/ok", where, sizeof where), MJ_OK);
	CHECK_STR(where, "");
	if (c != NULL) {
		char		*out = NULL;
		struct msg_arg	 a[] = { { "app_no", "AR-1" } };

		CHECK_INT(catalog_render(c, LANG_EN, "braces", a, 1, &out),
		    MJ_OK);
		CHECK_STR(out, "{app_no} - AR-1");
		free(out);
	}
	catalog_free(c);

	/* A tiny where is cut, never overrun; NULL where is allowed. */
	CHECK_INT(catalog_load(&c, BAD "/fuzzy", where, 8), MJ_EINPUT);
	CHECK_INT(strlen(where), 7);
	CHECK_INT(catalog_load(&c, BAD "/fuzzy", NULL, 0), MJ_EINPUT);
	CHECK_INT(catalog_load(&c, BAD "/nonexistent", where, sizeof where),
	    MJ_ENOTFOUND);
}

static void
test_render(const struct catalog *c)
{
	char		*out = (char *)1;
	struct msg_arg	 a[] = { { "app_no", "AR-2025-000001" },
			    { "unused", "x" } };
	struct msg_arg	 nul[] = { { "app_no", NULL } };

	CHECK_INT(catalog_render(c, LANG_EN, "status.not_found", a, 2, &out),
	    MJ_OK);
	CHECK(out != NULL && strstr(out, "AR-2025-000001") != NULL);
	CHECK(out != NULL && strchr(out, '{') == NULL);
	free(out);
	out = (char *)1;
	CHECK_INT(catalog_render(c, LANG_RU, "status.not_found", NULL, 0,
	    &out), MJ_EINTERNAL);
	CHECK(out == NULL);
	CHECK_INT(catalog_render(c, LANG_RU, "status.not_found", nul, 1,
	    &out), MJ_EINTERNAL);
	CHECK_INT(catalog_render(c, LANG_EN, "no.such.msgid", NULL, 0, &out),
	    MJ_ENOTFOUND);
	CHECK(out == NULL);
	CHECK_INT(catalog_render(c, (enum lang)7, "greeting", NULL, 0, &out),
	    MJ_EINTERNAL);
	CHECK_INT(catalog_render(c, (enum lang)-1, "greeting", NULL, 0, &out),
	    MJ_EINTERNAL);
	CHECK_INT(catalog_render(c, LANG_EN, NULL, NULL, 0, &out),
	    MJ_ENOTFOUND);
	CHECK_INT(catalog_render(c, LANG_EN, "days.left", NULL, 0, &out),
	    MJ_EINTERNAL);	/* plural needs a count */
	/* each of those said why, in the log */
	CHECK(check_logged("lvl=error ev=catalog.render msgid=status.not_found "
	    "lang=ru err=\"no value for placeholder\" name=\"app_no\""));
	CHECK(check_logged("ev=catalog.render msgid=status.not_found "
	    "err=\"NULL arg\""));
	CHECK(check_logged("ev=catalog.render msgid=greeting lang=7 "
	    "err=\"bad lang\""));
	CHECK(check_logged("ev=catalog.render msgid=greeting lang=-1 "
	    "err=\"bad lang\""));
	CHECK(check_logged("ev=catalog.render msgid=days.left lang=en "
	    "err=\"plural msgid without a count\""));
	CHECK_INT(catalog_render_n(c, LANG_EN, "greeting", 3, NULL, 0, &out),
	    MJ_OK);
	free(out);
	CHECK_INT(catalog_render_n(c, LANG_RU, "days.left", LONG_MIN, NULL, 0,
	    &out), MJ_OK);
	free(out);

	CHECK(catalog_has(c, "greeting"));
	CHECK(!catalog_has(c, "greeting."));
	CHECK(!catalog_has(c, ""));
	CHECK(!catalog_has(NULL, "greeting"));
	CHECK(catalog_is_plural(c, "days.left"));
	CHECK(!catalog_is_plural(c, "greeting"));
}

static void
test_msgids(const struct catalog *c)
{
	static const char *const need[] = {
		"greeting", "help", "unknown", "thanks", "status.ask_number",
		"status.not_found", "status.too_many", "status.verify_telegram",
		"status.pending", "status.in_review", "status.approved",
		"status.rejected", "status.paid", "status.needs_documents",
		"programme.child_allowance", "programme.material_aid",
		"programme.social_registry", "programme.disability",
		"programme.youth_register", "programme.women_register",
		"programme.pension", "date.format", "eligibility.start",
		"eligibility.general", "documents.general", "office.general",
		"operator.queued", "language.ask", "language.set",
		"optout.done", "optin.done", "rate.limited", "sms.more",
		"days.left"
	};
	const char	*prev = NULL, *id;
	size_t		 n = 0;
	char		 key[32];

	for (size_t i = 0; i < sizeof need / sizeof *need; i++) {
		if (!catalog_has(c, need[i]))
			fprintf(stderr, "missing msgid %s\n", need[i]);
		CHECK(catalog_has(c, need[i]));
	}
	for (int m = 1; m <= 12; m++) {
		snprintf(key, sizeof key, "month.%d", m);
		CHECK(catalog_has(c, key));
	}
	for (; (id = catalog_msgid_at(c, n)) != NULL; n++) {
		if (prev != NULL)
			CHECK(strcmp(prev, id) < 0);
		prev = id;
	}
	CHECK(n >= sizeof need / sizeof *need + 12);
	CHECK(catalog_msgid_at(c, n) == NULL);
	CHECK(catalog_msgid_at(NULL, 0) == NULL);
}

/* What the texts may not contain, and how uz-Latn writes its letters. */
static void
test_texts(const struct catalog *c)
{
	static const char *const banned[] = {
		"\u00AB", "\u00BB", "\u2014", "\u2013", "\u2116", "\u2026",
		"\u201C", "\u201D", "\xF0"	/* any 4-byte char: emoji */
	};
	struct sample	 s;
	const char	*id;
	int		 bad = 0;

	for (int l = 0; l < LANG__COUNT; l++) {
		sample_init(&s, c, (enum lang)l, "Programme");
		for (size_t i = 0; (id = catalog_msgid_at(c, i)); i++) {
			char	*t = NULL;

			if (catalog_render_n(c, (enum lang)l, id, 2, s.args, NARGS,
			    &t) != MJ_OK) {
				fprintf(stderr, "%s %s: does not render\n",
				    lang_tag((enum lang)l), id);
				bad++;
				continue;
			}
			for (size_t k = 0; k < sizeof banned / sizeof *banned;
			    k++)
				if (strstr(t, banned[k]) != NULL) {
					fprintf(stderr, "%s %s: has a char that "
					    "forces UCS-2\n",
					    lang_tag((enum lang)l), id);
					bad++;
				}
			/* uz-Latn: oʻ gʻ with U+02BB, tutuq U+02BC, never '. */
			if (l == LANG_UZ_LATN && (strchr(t, '\'') ||
			    strstr(t, "\u2018") || strstr(t, "\u2019"))) {
				fprintf(stderr, "uz-Latn %s: ASCII or quote "
				    "apostrophe, want U+02BB/U+02BC\n", id);
				bad++;
			}
			/* Latin replies are GSM-7 once prepared. */
			if ((l == LANG_UZ_LATN || l == LANG_EN) &&
			    strcmp(id, "language.ask") != 0) {
				char	*p = NULL;

				if (sms_prepare(t, strlen(t), &p) != MJ_OK ||
				    !sms_is_gsm7(p, strlen(p))) {
					fprintf(stderr, "%s %s: not GSM-7 after "
					    "sms_prepare\n",
					    lang_tag((enum lang)l), id);
					bad++;
				}
				free(p);
			}
			free(t);
		}
		free(s.prog);
	}
	CHECK_INT(bad, 0);
}

/*
 * The SMS budget: every message within 2 segments with a 30-char programme
 * name; the common replies and the eligibility re-asks in 1 GSM-7 segment
 * (uz-Latn, en) or 2 UCS-2 segments (uz-Cyrl, ru) with the real names.
 */
static void
test_budget(const struct catalog *c)
{
	static const char *const common[] = {
		"greeting", "status.not_found", "status.pending",
		"status.in_review", "status.approved", "status.rejected",
		"status.paid", "status.needs_documents", "status.ask_number",
		"status.too_many", "unknown"
	};
	struct sample	 s;
	struct sms_info	 si;
	const char	*id;
	int		 bad = 0;

	for (int l = 0; l < LANG__COUNT; l++) {
		sample_init(&s, c, (enum lang)l,
		    "Programme name, thirty chars..");
		for (size_t i = 0; (id = catalog_msgid_at(c, i)); i++) {
			si = cost(c, (enum lang)l, id, &s);
			if (si.segments > 2) {
				fprintf(stderr, "%s %s: %d segments\n",
				    lang_tag((enum lang)l), id, si.segments);
				bad++;
			}
		}
		free(s.prog);
		/* The longest real programme name: Disability allowance. */
		{
			char	*prog = NULL;

			CHECK_INT(catalog_render(c, (enum lang)l,
			    "programme.disability", NULL, 0, &prog), MJ_OK);
			sample_init(&s, c, (enum lang)l, prog ? prog : "");
			free(prog);
		}
		for (size_t i = 0; (id = catalog_msgid_at(c, i)); i++) {
			int	latin = l == LANG_UZ_LATN || l == LANG_EN, k;

			/* The eligibility re-asks are as common. */
			for (k = 0; k < (int)(sizeof common / sizeof *common);
			    k++)
				if (strcmp(id, common[k]) == 0)
					break;
			if (k == (int)(sizeof common / sizeof *common) &&
			    strncmp(id, "elig.again.", 11) != 0 &&
			    strncmp(id, "elig.bad.", 9) != 0)
				continue;
			si = cost(c, (enum lang)l, id, &s);
			if (latin ? si.segments != 1 || si.coding != SMS_GSM7 :
			    si.units > 134) {
				fprintf(stderr, "%s %s: %zu units, %d segments\n",
				    lang_tag((enum lang)l), id, si.units,
				    si.segments);
				bad++;
			}
		}
		free(s.prog);
	}
	CHECK_INT(bad, 0);
}

static void
test_dates(const struct catalog *c)
{
	char	b[64];

	CHECK_INT(catalog_date(c, LANG_UZ_LATN, 2025, 3, 15, b, sizeof b),
	    MJ_OK);
	CHECK_STR(b, "2025-yil 15-mart");
	CHECK_INT(catalog_date(c, LANG_UZ_CYRL, 2025, 3, 15, b, sizeof b),
	    MJ_OK);
	CHECK_STR(b, "2025-йил 15-март");
	CHECK_INT(catalog_date(c, LANG_RU, 2025, 3, 15, b, sizeof b), MJ_OK);
	CHECK_STR(b, "15 марта 2025");
	CHECK_INT(catalog_date(c, LANG_EN, 2025, 3, 15, b, sizeof b), MJ_OK);
	CHECK_STR(b, "15 March 2025");
	CHECK_INT(catalog_date(c, LANG_RU, 2024, 12, 1, b, sizeof b), MJ_OK);
	CHECK_STR(b, "1 декабря 2024");
	CHECK_INT(catalog_date(c, LANG_EN, 2024, 2, 29, b, sizeof b), MJ_OK);
	CHECK_INT(catalog_date(c, LANG_EN, 2025, 2, 29, b, sizeof b),
	    MJ_EINPUT);
	CHECK_INT(catalog_date(c, LANG_EN, 1900, 2, 29, b, sizeof b),
	    MJ_EINPUT);
	CHECK_INT(catalog_date(c, LANG_EN, 2000, 2, 29, b, sizeof b), MJ_OK);
	CHECK_INT(catalog_date(c, LANG_EN, 2025, 13, 1, b, sizeof b),
	    MJ_EINPUT);
	CHECK_INT(catalog_date(c, LANG_EN, 2025, 0, 1, b, sizeof b),
	    MJ_EINPUT);
	CHECK_INT(catalog_date(c, LANG_EN, 2025, 4, 31, b, sizeof b),
	    MJ_EINPUT);
	CHECK_INT(catalog_date(c, LANG_EN, 2025, 4, 0, b, sizeof b),
	    MJ_EINPUT);
	CHECK_INT(catalog_date(c, LANG_EN, INT_MIN, 4, 1, b, sizeof b),
	    MJ_EINPUT);
	CHECK_INT(catalog_date(c, LANG_EN, 2025, 4, 1, b, 5), MJ_ETOOBIG);
	CHECK_STR(b, "");
	CHECK_INT(catalog_date(c, LANG_EN, 2025, 4, 1, b, 0), MJ_ETOOBIG);
	CHECK_INT(catalog_date(c, LANG_EN, 2025, 4, 1, NULL, 10), MJ_ETOOBIG);
}

static void
test_plurals(const struct catalog *c)
{
	FILE	*fp = fopen("tests/fixtures/plurals.tsv", "r");
	char	*line = NULL, *f[5];
	size_t	 cap = 0;
	int	 rows = 0;

	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	while (getline(&line, &cap, fp) > 0) {
		int	 l;
		long	 n;
		char	*out = NULL;

		if (check_tsv_fields(line, f, 5) < 4)
			continue;
		rows++;
		l = lang_from_tag(f[0]);
		n = strtol(f[1], NULL, 10);
		CHECK(l >= 0);
		if (l < 0)
			continue;
		CHECK_STR(plural_category((enum lang)l, n), f[2]);
		CHECK_INT(catalog_render_n(c, (enum lang)l, "days.left", n, NULL,
		    0, &out), MJ_OK);
		CHECK_STR(out, f[3]);
		free(out);
	}
	CHECK(rows >= 25);
	free(line);
	fclose(fp);

	for (int l = 0; l < LANG__COUNT; l++)
		for (long n = -300; n <= 300; n++) {
			int	i = plural_index((enum lang)l, n);

			CHECK(i >= 0 && i < plural_nforms((enum lang)l));
		}
	CHECK_INT(plural_index(LANG_RU, LONG_MAX), 2);	/* ...807: many */
	CHECK_STR(plural_category(LANG_UZ_CYRL, 1), "one");
}

int
main(void)
{
	struct catalog	*c = NULL;
	char		 where[512];
	enum mj_err	 rc;

	test_bad_catalogues();
	rc = catalog_load(&c, locales_dir(), where, sizeof where);
	if (rc != MJ_OK)
		fprintf(stderr, "catalog_load: %s\n", where);
	CHECK_INT(rc, MJ_OK);
	if (c != NULL) {
		test_render(c);
		test_msgids(c);
		test_texts(c);
		test_budget(c);
		test_dates(c);
		test_plurals(c);
	}
	catalog_free(c);
	catalog_free(NULL);
	return check_done("catalog_test");
}
