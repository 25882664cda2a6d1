/*
 * cli.c - sms-cost: what every catalogue message costs as SMS (see cli.h).
 * The sample values stand in for what bot/ passes; none is citizen text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locales/catalog.h"
#include "locales/cli.h"
#include "locales/sms.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: murojaat sms-cost [--budget N] [--dir DIR]\n"
	    "  Prints a header line, then \"lang msgid coding units segments\"\n"
	    "  for every message; fails if one needs more than N SMS segments\n"
	    "  (default 2), naming each such message on stderr.\n"
	    "  DIR defaults to locales.dir of the config (locales beside the\n"
	    "  program).\n");
}

/* The longest programme.* name in l: the realistic worst case. */
static char *
longest_programme(const struct catalog *c, enum lang l)
{
	const char	*id;
	char		*best = NULL, *s;

	for (size_t i = 0; (id = catalog_msgid_at(c, i)) != NULL; i++) {
		if (strncmp(id, "programme.", 10) != 0 ||
		    catalog_render(c, l, id, NULL, 0, &s) != MJ_OK)
			continue;
		if (best == NULL || strlen(s) > strlen(best)) {
			free(best);
			best = s;
		} else
			free(s);
	}
	return best;
}

/* Render, prepare, measure; the worst over the sample counts if plural. */
static enum mj_err
cost(const struct catalog *c, enum lang l, const char *id,
    const struct msg_arg *args, size_t nargs, struct sms_info *worst)
{
	static const long	counts[] = { 1, 2, 5, 21, 111 };
	size_t			ncounts = catalog_is_plural(c, id) ? 5 : 1;
	struct sms_info		si;
	char			*text, *sms;
	enum mj_err		rc;

	memset(worst, 0, sizeof *worst);
	for (size_t k = 0; k < ncounts; k++) {
		rc = catalog_render_n(c, l, id, counts[k], args, nargs, &text);
		if (rc != MJ_OK)
			return rc;
		rc = sms_prepare(text, strlen(text), &sms);
		free(text);
		if (rc != MJ_OK)
			return rc;
		sms_measure(sms, strlen(sms), &si);
		free(sms);
		if (si.segments > worst->segments ||
		    (si.segments == worst->segments && si.units > worst->units))
			*worst = si;
	}
	return MJ_OK;
}

int
locales_cmd_sms_cost(int argc, char **argv, const char *dir)
{
	const char	*id;
	char		 where[1024], date[64], *end, *prog, *month;
	long		 budget = 2;
	int		 over = 0, total = 0;
	struct catalog	*c;
	struct sms_info	 si;
	enum mj_err	 rc;

	for (int i = 1; i < argc; i++) {
		const char	*a = argv[i], *v = NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strncmp(a, "--budget=", 9) == 0)
			v = a + 9;
		else if (strcmp(a, "--budget") == 0 && i + 1 < argc)
			v = argv[++i];
		if (v != NULL) {
			errno = 0;
			budget = strtol(v, &end, 10);
			if (errno || end == v || *end || budget < 1 ||
			    budget > 255) {
				fprintf(stderr, "sms-cost: --budget wants 1..255, "
				    "not \"%s\"\n", v);
				return 2;
			}
			continue;
		}
		if (strncmp(a, "--dir=", 6) == 0)
			dir = a + 6;
		else if (strcmp(a, "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else {
			usage(stderr);
			return 2;
		}
	}
	if (dir == NULL || *dir == '\0')
		dir = getenv("MUROJAAT_LOCALES_DIR");
	if (dir == NULL || *dir == '\0')
		dir = "locales";
	if ((rc = catalog_load(&c, dir, where, sizeof where)) != MJ_OK) {
		fprintf(stderr, "%s\n", where[0] ? where : mj_strerror(rc));
		return 2;
	}
	printf("# lang msgid coding units segments: each catalogue message "
	    "with sample values; units are GSM-7 septets or UCS-2 code units; "
	    "budget %ld segment%s\n", budget, budget == 1 ? "" : "s");
	for (int l = 0; l < LANG__COUNT; l++) {
		if (catalog_date(c, (enum lang)l, 2025, 9, 28, date,
		    sizeof date) != MJ_OK)
			snprintf(date, sizeof date, "2025-09-28");
		if ((prog = longest_programme(c, (enum lang)l)) == NULL)
			prog = strdup("Programme name of thirty chars");
		if (catalog_render(c, (enum lang)l, "month.9", NULL, 0,
		    &month) != MJ_OK)
			month = strdup("September");
		struct msg_arg	args[] = {
			{ "app_no", "AR-2025-000001" },
			{ "programme", prog ? prog : "" },
			{ "submitted", date },
			{ "decided", date },
			{ "payment", date },
			{ "year", "2025" },
			{ "month", month ? month : "" },
			{ "day", "28" },
			/*
			 * eligibility (bot/elig_text.c): numbers as long as
			 * the dialogue lets them be; texts that come from
			 * data/ are measured again by `rules import`.
			 */
			{ "value", "714 999" },
			{ "limit", "1 072 500" },
			{ "limit2", "30" },
			{ "amount", "1 320 000" },
			{ "months", "12" },
			{ "apply", "my.gov.uz, Inson markazi, DXM" },
			{ "documents", "pasport yoki ID-karta" },
			{ "timeline", "16-sanagacha ariza: 1-sanagacha qaror" },
			{ "who", "oilada 18 yoshgacha bolalar bor" },
			{ "district", "Qoʻshkoʻpir tumani" },
			{ "address", "Qoʻshkoʻpir, tuman markazi" },
			{ "days", "Du-Ju" },
			{ "open", "09:00" },
			{ "close", "18:00" },
			{ "landmark", "tuman hokimligi yonida" },
			{ "phone", "+998622245678" },
		};

		for (size_t i = 0; (id = catalog_msgid_at(c, i)) != NULL; i++) {
			total++;
			rc = cost(c, (enum lang)l, id, args,
			    sizeof args / sizeof args[0], &si);
			if (rc != MJ_OK) {
				printf("%s %s error %s\n", lang_tag((enum lang)l),
				    id, mj_strerror(rc));
				fprintf(stderr, "sms-cost: %s in %s does not "
				    "render: %s\n", id, lang_tag((enum lang)l),
				    mj_strerror(rc));
				over++;
				continue;
			}
			printf("%s %s %s %zu %d\n", lang_tag((enum lang)l), id,
			    si.coding == SMS_GSM7 ? "gsm7" : "ucs2", si.units,
			    si.segments);
			if (si.segments > budget) {
				fprintf(stderr, "sms-cost: %s in %s is over the "
				    "budget: %d segments (%s, %zu units)\n", id,
				    lang_tag((enum lang)l), si.segments,
				    si.coding == SMS_GSM7 ? "gsm7" : "ucs2",
				    si.units);
				over++;
			}
		}
		free(prog);
		free(month);
	}
	catalog_free(c);
	fprintf(stderr, "sms-cost: %d messages, %d over %ld segment%s\n",
	    total, over, budget, budget == 1 ? "" : "s");
	return over ? 1 : 0;
}
