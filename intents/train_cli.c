/*
 * train_cli.c - "murojaat train" and "murojaat eval".  See train_cli.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "intents/corpus.h"
#include "intents/train.h"
#include "intents/train_cli.h"

/* Read each path: a folder (its *.tsv) or a file. */
static int
read_all(struct corpus *c, const char *const *paths, int n)
{
	char	where[1024];

	for (int i = 0; i < n; i++) {
		struct stat	sb;
		enum mj_err	rc;

		if (stat(paths[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			rc = corpus_read_dir(c, paths[i], where, sizeof(where));
		else
			rc = corpus_read(c, paths[i], where, sizeof(where));
		if (rc != MJ_OK) {
			fprintf(stderr, "%s\n", where);
			return -1;
		}
	}
	return 0;
}

struct args {
	const char	*paths[32];
	int		 npaths;
	const char	*out, *misses;
	double		 C, threshold, min;
	int		 cv;
};

static int
parse(int argc, char **argv, struct args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--corpus") == 0 && v != NULL &&
		    a->npaths < 32)
			a->paths[a->npaths++] = argv[++i];
		else if (strcmp(argv[i], "--out") == 0 && v != NULL)
			a->out = argv[++i];
		else if (strcmp(argv[i], "--C") == 0 && v != NULL)
			a->C = atof(argv[++i]);
		else if (strcmp(argv[i], "--threshold") == 0 && v != NULL)
			a->threshold = atof(argv[++i]);
		else if (strcmp(argv[i], "--min") == 0 && v != NULL)
			a->min = atof(argv[++i]);
		else if (strcmp(argv[i], "--misses") == 0 && v != NULL)
			a->misses = argv[++i];
		else if (strcmp(argv[i], "--cv") == 0)
			a->cv = 1;
		else
			return -1;
	}
	return 0;
}

/* The corpus the arguments name, else the project's: -1 when it is bad. */
static int
corpus_of(struct args *a, const char *corpus_dir, struct corpus *c)
{
	if (a->npaths == 0)
		a->paths[a->npaths++] = corpus_dir;
	corpus_init(c);
	if (read_all(c, a->paths, a->npaths) == -1) {
		corpus_free(c);
		return -1;
	}
	return 0;
}

int
intents_cmd_train(const struct nlu *nl, const char *corpus_dir,
    const char *out, int argc, char **argv)
{
	struct args		 a = { .out = out, .C = 0, .cv = 0 };
	struct corpus		 c;
	struct train_opts	 o;
	struct model		*m;
	struct model_info	 mi;
	enum mj_err		 rc;

	if (parse(argc, argv, &a) == -1 || a.out == NULL) {
		fprintf(stderr, "usage: murojaat train [--corpus DIR|FILE]... "
		    "[--out FILE] [--cv] [--C N]\n");
		return 2;
	}
	if (corpus_of(&a, corpus_dir, &c) == -1)
		return 1;
	memset(&o, 0, sizeof(o));
	o.C = a.C;
	o.cv = a.cv;
	if ((rc = train_model(nl, &c, &o, &m)) != MJ_OK) {
		fprintf(stderr, "train: %s\n", rc == MJ_EINPUT ?
		    "the corpus needs messages of two intents at least" :
		    mj_strerror(rc));
		corpus_free(&c);
		return 1;
	}
	model_get_info(m, &mi);
	rc = model_save(m, a.out);
	model_free(m);
	corpus_free(&c);
	if (rc != MJ_OK) {
		fprintf(stderr, "train: cannot write %s\n", a.out);
		return 1;
	}
	fprintf(stderr, "train: %s from %u messages", a.out, mi.ntrain);
	if (a.cv)
		fprintf(stderr, ", cross-validated accuracy %.3f",
		    mi.cv_accuracy);
	fprintf(stderr, "\n");
	return 0;
}

int
intents_cmd_eval(const struct nlu *nl, const char *corpus_dir, int argc,
    char **argv)
{
	struct args		 a = { .threshold = -1, .min = 0 };
	struct corpus		 c;
	struct train_opts	 o;
	struct cv_report	*rep;
	enum mj_err		 rc;
	int			 ret = 0;

	if (parse(argc, argv, &a) == -1 || a.out != NULL) {
		fprintf(stderr, "usage: murojaat eval [--corpus DIR|FILE]... "
		    "[--threshold P] [--min ACCURACY] [--C N] [--misses FILE]\n");
		return 2;
	}
	if (corpus_of(&a, corpus_dir, &c) == -1)
		return 1;
	memset(&o, 0, sizeof(o));
	o.C = a.C;
	if (a.misses != NULL && (o.misses = fopen(a.misses, "w")) == NULL) {
		fprintf(stderr, "eval: cannot write %s\n", a.misses);
		corpus_free(&c);
		return 1;
	}
	if ((rep = malloc(sizeof(*rep))) == NULL) {
		if (o.misses != NULL)
			fclose(o.misses);
		corpus_free(&c);
		return 1;
	}
	rc = train_cv(nl, &c, &o, a.threshold >= 0 ? a.threshold :
	    nlu_get_threshold(nl), rep);
	if (rc != MJ_OK) {
		fprintf(stderr, "eval: %s\n", rc == MJ_EINPUT ?
		    "the corpus needs 10 messages and two intents at least" :
		    mj_strerror(rc));
		ret = 1;
	} else {
		cv_print(rep, stdout);
		if (cv_accuracy(rep, CV_BOTH) < a.min) {
			fprintf(stderr, "eval: cross-validated accuracy %.3f "
			    "is below %.3f\n", cv_accuracy(rep, CV_BOTH),
			    a.min);
			ret = 1;
		}
	}
	if (o.misses != NULL && fclose(o.misses) != 0) {
		fprintf(stderr, "eval: cannot write %s\n", a.misses);
		ret = 1;
	}
	free(rep);
	corpus_free(&c);
	return ret;
}
