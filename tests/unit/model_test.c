/*
 * model_test.c - the trained intent model: its corpus reader, training
 * (deterministic), its file (checked on load), the swap under load, bad
 * input, and the cross-validated floor over data/corpus.  Run from the
 * project root.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "intents/corpus.h"
#include "intents/model.h"
#include "intents/nlu.h"
#include "intents/train.h"

#define PATTERNS	"intents/patterns"
#define CORPUS_DIR	"data/corpus"
#define SMALL		"data/corpus/project.tsv"

/* Floors under the figures measured when the model was built (0.910 over
 * all, en the lowest at 82%): a change that loses ground fails here. */
#define MIN_ACCURACY	0.90
#define MIN_LANG	0.75

static char	tmpdir[] = "/tmp/mj-model-XXXXXX";

static char *
tmp(const char *name)
{
	static char	buf[4][256];
	static int	k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
	return buf[k];
}

static void
write_file(const char *path, const char *s, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return;
	fwrite(s, 1, n, f);
	fclose(f);
}

static unsigned char *
read_all(const char *path, size_t *n)
{
	FILE		*f = fopen(path, "rb");
	unsigned char	*b;
	long		 sz;

	*n = 0;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (sz < 0 || (b = malloc((size_t)sz + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	*n = fread(b, 1, (size_t)sz, f);
	fclose(f);
	return b;
}

static void
test_corpus(void)
{
	struct corpus	c;
	char		where[512];
	const char	bad[] = "salom\tuz-Latn\tgreeting\t\n"
	    "arizam qani\tuz-Latn\tno_such_intent\t\n";
	const char	short_line[] = "salom\tuz-Latn\tgreeting\t\nonly text\n";
	const char	badlang[] = "salom\txx\tgreeting\t\n";
	const char	good[] = "# a comment\n\nsalom\tuz-Latn\tgreeting\t\n"
	    "nima gap\tuz-Latn\toff_topic\t\n";

	write_file(tmp("bad.tsv"), bad, sizeof(bad) - 1);
	corpus_init(&c);
	CHECK_INT(corpus_read(&c, tmp("bad.tsv"), where, sizeof(where)),
	    MJ_EINPUT);
	CHECK(strstr(where, "bad.tsv:2:") != NULL);
	CHECK(strstr(where, "no_such_intent") != NULL);
	corpus_free(&c);

	write_file(tmp("short.tsv"), short_line, sizeof(short_line) - 1);
	corpus_init(&c);
	CHECK_INT(corpus_read(&c, tmp("short.tsv"), where, sizeof(where)),
	    MJ_EINPUT);
	CHECK(strstr(where, "short.tsv:2:") != NULL);
	corpus_free(&c);

	write_file(tmp("lang.tsv"), badlang, sizeof(badlang) - 1);
	corpus_init(&c);
	CHECK_INT(corpus_read(&c, tmp("lang.tsv"), where, sizeof(where)),
	    MJ_EINPUT);
	CHECK(strstr(where, "lang.tsv:1:") != NULL);
	corpus_free(&c);

	/* Comments and blank lines skipped; off_topic is unknown. */
	write_file(tmp("good.tsv"), good, sizeof(good) - 1);
	corpus_init(&c);
	CHECK_INT(corpus_read(&c, tmp("good.tsv"), where, sizeof(where)),
	    MJ_OK);
	CHECK_INT(c.n, 2);
	if (c.n == 2) {
		CHECK_INT(c.v[0].intent, INTENT_GREETING);
		CHECK_INT(c.v[1].intent, INTENT_UNKNOWN);
	}
	corpus_free(&c);

	corpus_init(&c);
	CHECK(corpus_read(&c, tmp("none.tsv"), where, sizeof(where)) != MJ_OK);
	CHECK(strstr(where, "none.tsv") != NULL);
	corpus_free(&c);
}

/* Train on path into file out; MJ_OK or the error. */
static enum mj_err
train_file(const struct nlu *nl, const char *corpus, const char *out)
{
	struct corpus		 c;
	struct train_opts	 o;
	struct model		*m;
	char			 where[512];
	enum mj_err		 rc;

	corpus_init(&c);
	if ((rc = corpus_read(&c, corpus, where, sizeof(where))) != MJ_OK) {
		corpus_free(&c);
		return rc;
	}
	memset(&o, 0, sizeof(o));
	if ((rc = train_model(nl, &c, &o, &m)) == MJ_OK) {
		rc = model_save(m, out);
		model_free(m);
	}
	corpus_free(&c);
	return rc;
}

static void
test_determinism(const struct nlu *nl)
{
	unsigned char	*a, *b, *c;
	size_t		 na, nb, nc;
	const char	 two[] = "salom\tuz-Latn\tgreeting\t\n"
	    "rahmat\tuz-Latn\tthanks\t\n";

	CHECK_INT(train_file(nl, SMALL, tmp("a.bin")), MJ_OK);
	CHECK_INT(train_file(nl, SMALL, tmp("b.bin")), MJ_OK);
	write_file(tmp("two.tsv"), two, sizeof(two) - 1);
	CHECK_INT(train_file(nl, tmp("two.tsv"), tmp("c.bin")), MJ_OK);
	a = read_all(tmp("a.bin"), &na);
	b = read_all(tmp("b.bin"), &nb);
	c = read_all(tmp("c.bin"), &nc);
	CHECK(a != NULL && b != NULL && c != NULL);
	CHECK(na > 1000000 && na == nb && na == nc);
	CHECK(a != NULL && b != NULL && na == nb && memcmp(a, b, na) == 0);
	CHECK(a != NULL && c != NULL && na == nc && memcmp(a, c, na) != 0);
	free(a);
	free(b);
	free(c);
}

static void
test_file(struct nlu *nl)
{
	unsigned char		*a;
	size_t			 n;
	char			 where[512];
	struct model		*m;
	struct model_info	 mi;
	struct nlu_result	 r;

	a = read_all(tmp("a.bin"), &n);
	CHECK(a != NULL && n > 64);
	if (a == NULL || n <= 64)
		return;
	CHECK_INT(model_load_mem(&m, a, n, where, sizeof(where)), MJ_OK);
	model_get_info(m, &mi);
	CHECK_INT(mi.ntrain, 619);
	CHECK(mi.bytes <= 16u * 1024 * 1024);	/* the bound */
	model_free(m);

	/* Every prefix is refused, never read past. */
	for (size_t k = 0; k < n; k += k < 256 ? 1 : 65521) {
		CHECK_INT(model_load_mem(&m, a, k, where, sizeof(where)) ==
		    MJ_OK, 0);
	}
	/* A flipped byte anywhere fails the checksum or a header check. */
	for (size_t k = 0; k < n; k += n / 7) {
		a[k] ^= 0x40;
		CHECK(model_load_mem(&m, a, n, where, sizeof(where)) !=
		    MJ_OK);
		a[k] ^= 0x40;
	}
	write_file(tmp("short.bin"), (const char *)a, n / 2);
	memcpy(a, "NOTMODEL", 8);
	write_file(tmp("magic.bin"), (const char *)a, n);
	free(a);

	/* Without a model the service understands with patterns alone. */
	CHECK(nlu_load_model(nl, tmp("missing.bin"), where, sizeof(where)) !=
	    MJ_OK);
	CHECK(strstr(where, "missing.bin") != NULL);
	CHECK_INT(nlu_model_info(nl, &mi), 0);
	CHECK_INT(nlu_understand(nl, "STOP", 4, &r), MJ_OK);
	CHECK_INT(r.intent, INTENT_OPT_OUT);
	CHECK_INT(r.source, NLU_SRC_PATTERN);

	/* A good model, then bad files: the good one stays in use. */
	CHECK_INT(nlu_load_model(nl, tmp("a.bin"), where, sizeof(where)),
	    MJ_OK);
	CHECK_INT(nlu_model_info(nl, &mi), 1);
	CHECK(nlu_load_model(nl, tmp("short.bin"), where, sizeof(where)) !=
	    MJ_OK);
	CHECK(nlu_load_model(nl, tmp("magic.bin"), where, sizeof(where)) !=
	    MJ_OK);
	CHECK(strstr(where, "magic.bin") != NULL);
	CHECK_INT(nlu_model_info(nl, &mi), 1);
	CHECK_INT(nlu_understand(nl, "arizam qayerda", 14, &r), MJ_OK);
	CHECK_INT(r.intent, INTENT_STATUS_CHECK);
	CHECK_INT(r.source, NLU_SRC_MODEL);
	CHECK(r.prob >= 0.35f && r.prob <= 1.0f);
}

/* ---- the swap while other threads understand ---------------------------- */

struct worker {
	struct nlu	*nl;
	unsigned	 bad, done;
};

static void *
work(void *arg)
{
	struct worker	*w = arg;
	static const char *texts[] = { "arizam qayerda AR-2025-000001",
	    "ариза ҳолати", "статус заявки", "is my application approved",
	    "operator", "rahmat", "" };

	for (unsigned i = 0; i < 3000; i++) {
		struct nlu_result	r;
		const char		*t = texts[i % 7];

		if (nlu_understand(w->nl, t, strlen(t), &r) != MJ_OK ||
		    (int)r.intent < 0 || r.intent >= INTENT__COUNT)
			w->bad++;
		w->done++;
	}
	return NULL;
}

static void
test_swap(struct nlu *nl)
{
	struct worker	w[2] = { { nl, 0, 0 }, { nl, 0, 0 } };
	pthread_t	t[2];
	char		where[512];
	int		loads = 0;

	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, work, &w[i]);
	for (int k = 0; k < 12; k++) {
		loads += nlu_load_model(nl, tmp(k % 2 ? "a.bin" : "c.bin"),
		    where, sizeof(where)) == MJ_OK;
		if (k % 4 == 3)
			nlu_set_model(nl, NULL);	/* patterns alone */
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK_INT(loads, 12);
	CHECK_INT(w[0].done + w[1].done, 6000);
	CHECK_INT(w[0].bad + w[1].bad, 0);
}

/* ---- bad input with the model loaded ----------------------------------- */

static void
test_bad_input(struct nlu *nl)
{
	static char		big[10 * 1024 + 1];
	struct nlu_result	r;
	char			where[512];
	static const char	*odd[] = { "", " ", "😀😀😀", "🙏",
	    "salom привет hello 😀 AR-2025-000001", "\xd0\xb0\xd0",
	    "----", "0", "\t\t" };

	CHECK_INT(nlu_load_model(nl, tmp("a.bin"), where, sizeof(where)),
	    MJ_OK);
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		enum mj_err rc = nlu_understand(nl, odd[i], strlen(odd[i]),
		    &r);

		CHECK(rc == MJ_OK || rc == MJ_EINPUT);
		CHECK((int)r.intent >= 0 && r.intent < INTENT__COUNT);
	}
	for (size_t i = 0; i + 1 < sizeof(big); i++)
		big[i] = "arizam qani 12 "[i % 15];
	CHECK_INT(nlu_understand(nl, big, sizeof(big) - 1, &r), MJ_OK);
	CHECK((int)r.intent >= 0 && r.intent < INTENT__COUNT);
	/* Emoji alone: nothing to understand. */
	CHECK_INT(nlu_understand(nl, "😀😀😀", strlen("😀😀😀"), &r), MJ_OK);
	CHECK_INT(r.intent, INTENT_UNKNOWN);
}

/* ---- the cross-validated floor ----------------------------------------- */

static void
test_cv(const struct nlu *nl)
{
	struct corpus		 c;
	struct train_opts	 o;
	struct cv_report	*rep = malloc(sizeof(*rep));
	char			 where[512];
	double			 acc;

	corpus_init(&c);
	CHECK_INT(corpus_read_dir(&c, CORPUS_DIR, where, sizeof(where)),
	    MJ_OK);
	CHECK(c.n >= 3500);
	memset(&o, 0, sizeof(o));
	if (rep == NULL || train_cv(nl, &c, &o, NLU_THRESHOLD, rep) !=
	    MJ_OK) {
		CHECK(!"train_cv");
		free(rep);
		corpus_free(&c);
		return;
	}
	acc = cv_accuracy(rep, CV_BOTH);
	printf("cross-validated intent accuracy: %.3f (patterns alone "
	    "%.3f)\n", acc, cv_accuracy(rep, CV_PATTERNS));
	CHECK(acc >= MIN_ACCURACY);
	CHECK(acc > cv_accuracy(rep, CV_PATTERNS) + 0.2);
	for (int l = 0; l < LANG__COUNT; l++) {
		unsigned n = rep->by_lang[CV_BOTH][l][0];

		CHECK(n > 0 && (double)rep->by_lang[CV_BOTH][l][1] / n >=
		    MIN_LANG);
	}
	/* Notices never stop by mistake: every acting opt-out was one. */
	CHECK_INT(rep->optout_fp[CV_BOTH], 0);
	CHECK_INT(rep->optout_fp[CV_PATTERNS], 0);
	CHECK(rep->optout_tp[CV_BOTH] > 0);
	CHECK(rep->optout_asked > 0);
	free(rep);
	corpus_free(&c);
}

int
main(void)
{
	struct nlu	*nl;
	char		 where[512];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if (nlu_load(&nl, PATTERNS, where, sizeof(where)) != MJ_OK) {
		fprintf(stderr, "nlu_load: %s\n", where);
		return 1;
	}
	test_corpus();
	test_determinism(nl);
	test_file(nl);
	test_swap(nl);
	test_bad_input(nl);
	test_cv(nl);
	nlu_free(nl);
	{
		static const char *f[] = { "bad.tsv", "short.tsv", "lang.tsv",
		    "good.tsv", "two.tsv", "a.bin", "b.bin", "c.bin",
		    "short.bin", "magic.bin" };

		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			unlink(tmp(f[i]));
		rmdir(tmpdir);
	}
	return check_done("model");
}
