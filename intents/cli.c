/*
 * cli.c - "classify" and "translit" over stdin.  See cli.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/lang.h"
#include "intents/cli.h"
#include "intents/nlu.h"
#include "intents/translit.h"

static void
put_entities(FILE *f, const struct nlu_result *r)
{
	const char	*sep = "";

	if (r->app_no[0] != '\0') {
		fprintf(f, "%sapp_no=%s", sep, r->app_no);
		sep = ";";
	}
	if (r->pinfl[0] != '\0') {
		fprintf(f, "%spinfl=%s", sep, r->pinfl);
		sep = ";";
	}
	if (r->phone[0] != '\0') {
		fprintf(f, "%sphone=%s", sep, r->phone);
		sep = ";";
	}
	if (r->program[0] != '\0') {
		fprintf(f, "%sprogram=%s", sep, r->program);
		sep = ";";
	}
	if (r->has_number)
		fprintf(f, "%snumber=%.15g", sep, r->number);
}

static size_t
chomp(char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return n;
}

int
intents_cmd_classify(int argc, char **argv, const char *dir,
    const char *model, double threshold)
{
	char		 where[1024];
	struct nlu	*nl;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 got;
	unsigned long	 lineno = 0, bad = 0;
	enum mj_err	 rc;

	int		 explain = argc == 2 && strcmp(argv[1], "--explain") == 0;

	if (argc > 1 && !explain) {
		fprintf(stderr, "usage: %s [--explain] < messages\n", argv[0]);
		return 2;
	}
	if ((rc = nlu_load(&nl, dir, where, sizeof where)) != MJ_OK) {
		fprintf(stderr, "%s\n", where[0] ? where : mj_strerror(rc));
		return 1;
	}
	nlu_set_threshold(nl, threshold);
	if (model != NULL && nlu_load_model(nl, model, where, sizeof where) !=
	    MJ_OK)
		fprintf(stderr, "classify: no intent model (%s): patterns "
		    "alone\n", where);
	while ((got = getline(&line, &cap, stdin)) != -1) {
		struct nlu_result	r;
		size_t			n = chomp(line, (size_t)got);

		lineno++;
		rc = nlu_understand(nl, line, n, &r);
		if (rc != MJ_OK) {
			fprintf(stderr, "line %lu: %s\n", lineno,
			    mj_strerror(rc));
			fputs("-\tunknown\t\n", stdout);
			bad++;
			continue;
		}
		printf("%s\t%s\t", lang_tag(r.lang), intent_name(r.intent));
		put_entities(stdout, &r);
		if (explain)
			printf("\t%s\t%.2f", r.source == NLU_SRC_MODEL ? "model" :
			    r.source == NLU_SRC_PATTERN ? "pattern" :
			    r.source == NLU_SRC_RULE ? "rule" : "-", r.prob);
		putchar('\n');
	}
	free(line);
	nlu_free(nl);
	if (fflush(stdout) != 0 || ferror(stdin)) {
		fprintf(stderr, "classify: i/o error\n");
		return 1;
	}
	return 0;
}

int
intents_cmd_translit(int argc, char **argv)
{
	enum mj_err	(*fn)(const char *, size_t, char **);
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 got;
	unsigned long	 lineno = 0;
	int		 status = 0;

	if (argc != 3 || strcmp(argv[1], "--to") != 0 ||
	    (strcmp(argv[2], "latn") != 0 && strcmp(argv[2], "cyrl") != 0)) {
		fprintf(stderr, "usage: %s --to latn|cyrl < text\n",
		    argc > 0 ? argv[0] : "translit");
		return 2;
	}
	fn = strcmp(argv[2], "latn") == 0 ? translit_to_latn : translit_to_cyrl;
	while ((got = getline(&line, &cap, stdin)) != -1) {
		size_t		 n = chomp(line, (size_t)got);
		char		*out;
		enum mj_err	 rc;

		lineno++;
		if ((rc = fn(line, n, &out)) != MJ_OK) {
			fprintf(stderr, "line %lu: %s\n", lineno,
			    mj_strerror(rc));
			putchar('\n');
			status = 1;
			continue;
		}
		fputs(out, stdout);
		putchar('\n');
		free(out);
	}
	free(line);
	if (fflush(stdout) != 0 || ferror(stdin))
		status = 1;
	return status;
}
