/*
 * intents_bench.c - messages per second through nlu_understand()
 * (normalise, detect, match, extract) over every message of the corpus
 * data/corpus/project.tsv, on one core, repeated for at least two seconds.
 * Built without sanitizers by "make bench-intents"; run from the project
 * root.  Exits 1 below MIN_RATE messages a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "intents/nlu.h"

#define CORPUS		"data/corpus/project.tsv"
#define MIN_RATE	100000.0
#define MAX_MSGS	4096

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(void)
{
	static char	*msg[MAX_MSGS];
	static size_t	 len[MAX_MSGS];
	char		 line[8192], where[512];
	struct nlu	*nl;
	FILE		*f;
	size_t		 n = 0, done = 0, unknown = 0;
	double		 t0, t;

	if (nlu_load(&nl, "intents/patterns", where, sizeof where) != MJ_OK) {
		fprintf(stderr, "nlu_load: %s\n", where);
		return 1;
	}
	if ((f = fopen(CORPUS, "r")) == NULL) {
		fprintf(stderr, "%s: cannot open\n", CORPUS);
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
	if (n == 0)
		return 1;
	t0 = now();
	do {
		for (size_t i = 0; i < n; i++) {
			struct nlu_result	r;

			if (nlu_understand(nl, msg[i], len[i], &r) != MJ_OK)
				return 1;
			unknown += r.intent == INTENT_UNKNOWN;
		}
		done += n;
		t = now() - t0;
	} while (t < 2.0);
	printf("intents bench: %zu messages (%zu distinct, %.0f%% unknown) in "
	    "%.2f s: %.0f msg/s, %.2f us/msg (need %.0f msg/s)\n", done, n,
	    100.0 * unknown / done, t, done / t, 1e6 * t / done, MIN_RATE);
	for (size_t i = 0; i < n; i++)
		free(msg[i]);
	nlu_free(nl);
	return done / t >= MIN_RATE ? 0 : 1;
}
