/*
 * intents_eval_test.c - accuracy of intents/ over the labelled corpus
 * data/corpus/project.tsv (text, lang, intent, entities; lang "-" when the
 * text cannot decide it, and lang_sure must then be 0).
 *
 * As a unit test (no arguments) it prints each miss as file:line with both
 * values, then the totals, and fails when intent accuracy is below 95%,
 * language accuracy below 98%, or the corpus has fewer than 600 messages.
 * "--report" (make eval) adds accuracy per language and per intent, entity
 * accuracy and the confusion table.  Run from the project root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "intents_tsv.h"

#define CORPUS		"data/corpus/project.tsv"
#define MIN_INTENT	0.95
#define MIN_LANG	0.98
#define MIN_MESSAGES	600
#define NLANG		(LANG__COUNT + 1)	/* + "not sure" */

static const char *
lang_label(int l)
{
	return l == LANG__COUNT ? "-" : lang_tag((enum lang)l);
}

static double
pct(unsigned a, unsigned b)
{
	return b ? 100.0 * a / b : 0.0;
}

int
main(int argc, char **argv)
{
	static unsigned	 conf[INTENT__COUNT][INTENT__COUNT];
	unsigned	 n = 0, ok_int = 0, ok_lang = 0, ok_ent = 0, ok_all = 0;
	unsigned	 by_lang[NLANG][2] = { { 0 } }, by_int[INTENT__COUNT][2];
	unsigned	 lang_ok_by[NLANG] = { 0 };
	int		 report = argc > 1 && strcmp(argv[1], "--report") == 0;
	char		 where[512], line[8192];
	struct nlu	*nl;
	FILE		*f;
	int		 lineno = 0;
	unsigned	 misses = 0;

	memset(by_int, 0, sizeof by_int);
	if (nlu_load(&nl, "intents/patterns", where, sizeof where) != MJ_OK) {
		fprintf(stderr, "nlu_load: %s\n", where);
		return 1;
	}
	if ((f = fopen(CORPUS, "r")) == NULL) {
		fprintf(stderr, "%s: cannot open\n", CORPUS);
		nlu_free(nl);
		return 1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char			*fl[4], ent[256];
		struct nlu_result	 r;
		int			 wl, wi, li, lok, iok, eok;

		lineno++;
		if (tsv_split(line, fl, 4) == 0)
			continue;
		wl = strcmp(fl[1], "-") == 0 ? LANG__COUNT : lang_from_tag(fl[1]);
		wi = intent_from_name(fl[2]);
		if (wl < 0 || wi < 0) {
			fprintf(stderr, "%s:%d: bad label \"%s\" / \"%s\"\n",
			    CORPUS, lineno, fl[1], fl[2]);
			check_failed++;
			continue;
		}
		if (nlu_understand(nl, fl[0], strlen(fl[0]), &r) != MJ_OK) {
			fprintf(stderr, "%s:%d: nlu_understand failed\n", CORPUS,
			    lineno);
			check_failed++;
			continue;
		}
		tsv_entities(&r, ent, sizeof ent);
		li = r.lang_sure ? (int)r.lang : LANG__COUNT;
		lok = li == wl;
		iok = (int)r.intent == wi;
		eok = strcmp(ent, fl[3]) == 0;
		n++;
		ok_lang += lok;
		ok_int += iok;
		ok_ent += eok;
		ok_all += lok && iok && eok;
		by_lang[wl][0]++;
		by_lang[wl][1] += iok;
		lang_ok_by[wl] += lok;
		by_int[wi][0]++;
		by_int[wi][1] += iok;
		conf[wi][r.intent]++;
		misses += !lok || !iok || !eok;
		if (report && (!lok || !iok || !eok))
			fprintf(stderr, "%s:%d: \"%s\": got %s %s \"%s\", want "
			    "%s %s \"%s\"\n", CORPUS, lineno, fl[0],
			    lang_label(li), intent_name(r.intent), ent,
			    fl[1], fl[2], fl[3]);
	}
	fclose(f);
	nlu_free(nl);

	printf("messages %u (%u not all right%s)\n", n, misses,
	    report || misses == 0 ? "" : "; --report lists them");
	printf("intent accuracy   %6.2f%% (%u/%u, need %.0f%%)\n",
	    pct(ok_int, n), ok_int, n, MIN_INTENT * 100);
	printf("language accuracy %6.2f%% (%u/%u, need %.0f%%)\n",
	    pct(ok_lang, n), ok_lang, n, MIN_LANG * 100);
	printf("entity accuracy   %6.2f%% (%u/%u)\n", pct(ok_ent, n), ok_ent, n);
	printf("all three right   %6.2f%% (%u/%u)\n", pct(ok_all, n), ok_all, n);
	if (report) {
		printf("\nper language (labelled)   n  intent%%  lang%%\n");
		for (int l = 0; l < NLANG; l++)
			printf("  %-22s %4u  %6.2f  %6.2f\n", lang_label(l),
			    by_lang[l][0], pct(by_lang[l][1], by_lang[l][0]),
			    pct(lang_ok_by[l], by_lang[l][0]));
		printf("\nper intent                n  intent%%\n");
		for (int i = 0; i < INTENT__COUNT; i++)
			printf("  %-22s %4u  %6.2f\n", intent_name((enum intent)i),
			    by_int[i][0], pct(by_int[i][1], by_int[i][0]));
		printf("\nconfusion (rows: labelled, columns: got)\n%16s", "");
		for (int j = 0; j < INTENT__COUNT; j++)
			printf(" %4.4s", intent_name((enum intent)j));
		printf("\n");
		for (int i = 0; i < INTENT__COUNT; i++) {
			printf("%16s", intent_name((enum intent)i));
			for (int j = 0; j < INTENT__COUNT; j++)
				printf(" %4u", conf[i][j]);
			printf("\n");
		}
	}
	CHECK(n >= MIN_MESSAGES);
	CHECK(n > 0 && (double)ok_int / n >= MIN_INTENT);
	CHECK(n > 0 && (double)ok_lang / n >= MIN_LANG);
	return check_done("intents_eval");
}
