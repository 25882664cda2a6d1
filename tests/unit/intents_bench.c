/*
 * intents_bench.c - messages per second through nlu_understand()
 * (normalise, detect, match, extract, the model's features and its
 * prediction) over every message of the corpus (data/corpus), with long
 * messages (1, 2 and 4 kB) among them, on one thread, in five rounds of a
 * second or more (the median is the figure).  The built model
 * (intents/model.bin) must load: the run counts what decided each message
 * (model, pattern, rule, none) so that a run on patterns alone shows, and
 * measures its ceiling in the same run (normalisation alone).
 * Built without sanitizers by "make bench-intents"; run from the project
 * root.  Exits 1 below MIN_RATE messages a second or over MAX_MODEL_BYTES
 * of model.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "intents/model.h"
#include "intents/nlu.h"
#include "intents/normalize.h"

#define CORPUS		"data/corpus/*.tsv"
#define MODEL		"intents/model.bin"
#define MIN_RATE	100000.0
#define MAX_MODEL_BYTES	(16u * 1024 * 1024)
#define MAX_MSGS	8192
#define ROUNDS		5

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
by_rate(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(void)
{
	static char	*msg[MAX_MSGS];
	static size_t	 len[MAX_MSGS];
	char		 line[8192], where[512];
	struct nlu	*nl;
	struct model_info mi;
	glob_t		 g;
	size_t		 n = 0, done = 0, unknown = 0, by[4] = { 0 };
	double		 t0, t, rate[ROUNDS], ceiling;

	if (nlu_load(&nl, "intents/patterns", where, sizeof where) != MJ_OK) {
		fprintf(stderr, "nlu_load: %s\n", where);
		return 1;
	}
	if (nlu_load_model(nl, MODEL, where, sizeof where) != MJ_OK ||
	    !nlu_model_info(nl, &mi)) {
		fprintf(stderr, "%s (make intents/model.bin)\n", where);
		return 1;
	}
	if (glob(CORPUS, 0, NULL, &g) != 0) {
		fprintf(stderr, "%s: no corpus\n", CORPUS);
		return 1;
	}
	for (size_t k = 0; k < g.gl_pathc; k++) {
		FILE *f = fopen(g.gl_pathv[k], "r");

		if (f == NULL) {
			fprintf(stderr, "%s: cannot open\n", g.gl_pathv[k]);
			return 1;
		}
		while (n < MAX_MSGS && fgets(line, sizeof line, f) != NULL) {
			char	*tab = strchr(line, '\t');

			if (line[0] == '#' || tab == NULL)
				continue;
			*tab = '\0';
			len[n] = strlen(line);
			if ((msg[n] = strdup(line)) == NULL)
				return 1;
			n++;
		}
		fclose(f);
	}
	globfree(&g);
	/* Long complaints: a message of 1, 2 and 4 kB every 1,000. */
	for (size_t k = 0; k < n; k += 1000) {
		size_t	 want = (size_t)1024 << (k / 1000 % 3), o = 0;
		char	*b = malloc(want + 1);

		if (b == NULL)
			return 1;
		while (o + len[k] + 1 < want) {
			memcpy(b + o, msg[k], len[k]);
			o += len[k];
			b[o++] = ' ';
		}
		b[o] = '\0';
		free(msg[k]);
		msg[k] = b;
		len[k] = o;
	}
	if (n == 0)
		return 1;
	/* Five rounds of a second or more; the median rate is the figure
	 * (a shared machine's bad second does not decide it). */
	for (int round = 0; round < ROUNDS; round++) {
		size_t	rd = 0;

		t0 = now();
		do {
			for (size_t i = 0; i < n; i++) {
				struct nlu_result	r;

				if (nlu_understand(nl, msg[i], len[i], &r) !=
				    MJ_OK)
					return 1;
				unknown += r.intent == INTENT_UNKNOWN;
				by[r.source]++;
			}
			rd += n;
			t = now() - t0;
		} while (t < 1.0);
		done += rd;
		rate[round] = rd / t;
	}
	qsort(rate, ROUNDS, sizeof(rate[0]), by_rate);
	/*
	 * The ceiling, in the same run: Unicode normalisation alone (the
	 * first step of understanding) over the same messages.  The ratio
	 * holds when the machine's speed does not.
	 */
	{
		static char	 nb[6 * 4096 + 64];
		size_t		 nd = 0, ol;

		t0 = now();
		do {
			for (size_t i = 0; i < n; i++)
				if (len[i] <= 4096 && normalize_text(msg[i],
				    len[i], nb, sizeof(nb), &ol, NULL) == MJ_OK)
					nd++;
			t = now() - t0;
		} while (t < 1.0);
		ceiling = nd / t;
	}
	printf("intents bench: %zu messages (%zu distinct, %.0f%% unknown) in "
	    "%d rounds: median %.0f msg/s (%.2f us/msg; rounds %.0f..%.0f), "
	    "need %.0f msg/s\n", done, n, 100.0 * unknown / done, ROUNDS,
	    rate[ROUNDS / 2], 1e6 / rate[ROUNDS / 2], rate[0],
	    rate[ROUNDS - 1], MIN_RATE);
	printf("intents bench: ceiling (normalisation alone) %.0f msg/s: "
	    "understanding costs %.1f times it\n", ceiling,
	    ceiling / rate[ROUNDS / 2]);
	printf("intents bench: decided by model %zu, pattern %zu, rule %zu, "
	    "none %zu; model %.1f MB in memory (at most %.0f MB)\n",
	    by[NLU_SRC_MODEL], by[NLU_SRC_PATTERN], by[NLU_SRC_RULE],
	    by[NLU_SRC_NONE], mi.bytes / 1048576.0, MAX_MODEL_BYTES / 1048576.0);
	for (size_t i = 0; i < n; i++)
		free(msg[i]);
	nlu_free(nl);
	return rate[ROUNDS / 2] >= MIN_RATE && mi.bytes <= MAX_MODEL_BYTES &&
	    by[NLU_SRC_MODEL] > 0 ? 0 : 1;
}
