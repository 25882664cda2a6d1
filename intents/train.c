/*
 * train.c - the intent model from a corpus, with liblinear; stratified
 * cross-validation.  See train.h.
 *
 * liblinear's header names its own struct model: it is renamed here, the
 * one file that includes it, so that ours keeps its name.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define model ll_model
#include <linear.h>
#undef model

#include "base/log.h"
#include "intents/model_int.h"
#include "intents/train.h"

#define C_DEFAULT	100.0
#define EPS		0.001
#define NB_LAMBDA	0.4
#define NB_ALPHA	0.01

static void
quiet(const char *s)
{
	(void)s;
}

/* Every item's features, as liblinear rows (index 1-based, bias last). */
struct rows {
	struct feature_node	**x;
	struct feature_node	 *space;
	struct nlu_result	 *pat;	/* the patterns-alone result */
	size_t			  n;
};

static void
rows_free(struct rows *r)
{
	free(r->x);
	free(r->space);
	free(r->pat);
	memset(r, 0, sizeof(*r));
}

static int
by_idx(const void *a, const void *b)
{
	uint32_t x = ((const struct feat *)a)->idx, y =
	    ((const struct feat *)b)->idx;

	return x < y ? -1 : x > y;
}

static enum mj_err
rows_make(const struct nlu *nl, const struct corpus *c, struct rows *r)
{
	struct feat_vec	fv;
	size_t		total = 0, o = 0;
	enum mj_err	rc;

	memset(r, 0, sizeof(*r));
	if ((rc = feat_vec_init(&fv)) != MJ_OK)
		return rc;
	r->n = c->n;
	r->x = calloc(c->n ? c->n : 1, sizeof(*r->x));
	r->pat = calloc(c->n ? c->n : 1, sizeof(*r->pat));
	/* Worst case first; trimmed by the counts below. */
	r->space = malloc((c->n * (MODEL_MAX_FEATS + 2) + 1) *
	    sizeof(*r->space));
	if (r->x == NULL || r->pat == NULL || r->space == NULL) {
		rc = MJ_ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < c->n; i++) {
		const char *t = c->v[i].text;

		if ((rc = nlu_features(nl, t, strlen(t), &fv, &r->pat[i])) !=
		    MJ_OK)
			goto fail;
		r->x[i] = (struct feature_node *)(uintptr_t)o;
		/* liblinear's rows ascend by index */
		qsort(fv.f, fv.n, sizeof(*fv.f), by_idx);
		for (size_t k = 0; k < fv.n; k++) {
			r->space[o].index = (int)fv.f[k].idx + 1;
			r->space[o++].value = fv.f[k].val;
		}
		r->space[o].index = MODEL_DIM + 1;	/* the bias */
		r->space[o++].value = 1.0;
		r->space[o++].index = -1;
		total = o;
	}
	{
		void *p = realloc(r->space, (total ? total : 1) *
		    sizeof(*r->space));

		if (p != NULL)
			r->space = p;
	}
	for (size_t i = 0; i < c->n; i++)
		r->x[i] = r->space + (uintptr_t)r->x[i];
	feat_vec_free(&fv);
	return MJ_OK;
fail:
	feat_vec_free(&fv);
	rows_free(r);
	return rc;
}

static int
lang_class(int lang)
{
	switch (lang) {
	case LANG_UZ_LATN:
	case LANG_UZ_CYRL:
		return ML_UZ;
	case LANG_RU:
		return ML_RU;
	case LANG_EN:
		return ML_EN;
	default:
		return ML_NONE;
	}
}

/*
 * Train one head over the items in sel[0..n) with labels y; its classes
 * go to columns col0 + label of the model.
 */
static enum mj_err
train_head(const struct rows *r, const size_t *sel, const double *y,
    size_t n, double C, struct model *m, int col0)
{
	struct problem		 prob;
	struct parameter	 par;
	struct ll_model		*lm;
	int			 nc, nf;

	memset(&prob, 0, sizeof(prob));
	memset(&par, 0, sizeof(par));
	prob.l = (int)n;
	prob.n = MODEL_DIM + 1;
	prob.bias = 1.0;
	prob.y = malloc((n ? n : 1) * sizeof(double));
	prob.x = malloc((n ? n : 1) * sizeof(*prob.x));
	if (prob.y == NULL || prob.x == NULL) {
		free(prob.y);
		free(prob.x);
		return MJ_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		prob.y[i] = y[i];
		prob.x[i] = r->x[sel[i]];
	}
	par.solver_type = L2R_LR;
	par.eps = EPS;
	par.C = C;
	set_print_string_function(quiet);
	if (check_parameter(&prob, &par) != NULL ||
	    (lm = train(&prob, &par)) == NULL) {
		free(prob.y);
		free(prob.x);
		return MJ_EINTERNAL;
	}
	nc = lm->nr_class;
	nf = prob.n;	/* weights per class, the bias's included */
	for (int ci = 0; ci < nc; ci++) {
		int	col = col0 + lm->label[ci];
		int	wc = nc == 2 ? 0 : ci;
		float	sign = nc == 2 && ci == 1 ? -1.0f : 1.0f;
		int	stride = nc == 2 ? 1 : nc;

		if (col < 0 || col >= MODEL_K)
			continue;
		for (int j = 0; j < (int)MODEL_DIM; j++)
			m->w[(size_t)j * MODEL_K + (size_t)col] = sign *
			    (float)lm->w[(size_t)j * (size_t)stride +
			    (size_t)wc];
		m->bias[col] = sign * (float)lm->w[(size_t)(nf - 1) *
		    (size_t)stride + (size_t)wc];
	}
	if (nc == 1) {
		/* One class only: it is always the answer. */
		m->bias[col0 + lm->label[0]] = 10.0f;
	}
	free_and_destroy_model(&lm);
	free(prob.y);
	free(prob.x);
	return MJ_OK;
}

/*
 * The intent head's weights gain lambda times each slot's naive Bayes
 * log-likelihood ratio (the intent's against all intents', additive
 * smoothing alpha): a prior the regression alone cannot give rare words
 * in 3,500 messages.  Still one linear model: the file, the prediction
 * and its cost are unchanged.  NB_LAMBDA and NB_ALPHA were chosen on the
 * cross-validation (0.897 without, 0.910 with).
 */
static enum mj_err
add_nb(const struct rows *r, const size_t *sel, const double *y, size_t n,
    double lambda, double alpha, struct model *m)
{
	size_t	 D = MODEL_DIM;
	float	*cnt = calloc(D * INTENT__COUNT, sizeof(float));
	double	 tot[INTENT__COUNT] = { 0 }, all = 0;
	float	*bg = calloc(D, sizeof(float));

	if (cnt == NULL || bg == NULL) {
		free(cnt);
		free(bg);
		return MJ_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		int c = (int)y[i];

		for (const struct feature_node *f = r->x[sel[i]];
		    f->index != -1; f++)
			if (f->index <= (int)D) {
				cnt[(size_t)(f->index - 1) * INTENT__COUNT +
				    (size_t)c] += 1;
				bg[f->index - 1] += 1;
				tot[c] += 1;
				all += 1;
			}
	}
	for (size_t j = 0; j < D; j++) {
		double lb = log((bg[j] + alpha) / (all + alpha * D));

		/* A slot no message had says nothing (else its smoothing
		 * would favour the intents with the fewest words). */
		if (bg[j] == 0)
			continue;

		for (int c = 0; c < INTENT__COUNT; c++) {
			double lc;

			if (tot[c] == 0)
				continue;
			lc = log((cnt[j * INTENT__COUNT + (size_t)c] + alpha) /
			    (tot[c] + alpha * D));
			m->w[j * MODEL_K + (size_t)c] += (float)(lambda *
			    (lc - lb));
		}
	}
	free(cnt);
	free(bg);
	return MJ_OK;
}

/* Both heads over the items of sel[0..n). */
static enum mj_err
train_on(const struct rows *r, const struct corpus *c, const size_t *sel,
    size_t n, double C, struct model **out)
{
	struct model	*m;
	double		*y;
	size_t		*ls, nl = 0;
	enum mj_err	 rc;

	*out = NULL;
	if ((m = model_alloc()) == NULL)
		return MJ_ENOMEM;
	y = calloc(n ? n : 1, sizeof(*y));
	ls = malloc((n ? n : 1) * sizeof(*ls));
	if (y == NULL || ls == NULL) {
		rc = MJ_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		y[i] = (double)c->v[sel[i]].intent;
	if ((rc = train_head(r, sel, y, n, C, m, 0)) != MJ_OK)
		goto done;
	if ((rc = add_nb(r, sel, y, n, NB_LAMBDA, NB_ALPHA, m)) != MJ_OK)
		goto done;
	for (size_t i = 0; i < n; i++) {
		int l = lang_class(c->v[sel[i]].lang);

		if (l >= 0) {
			ls[nl] = sel[i];
			y[nl++] = (double)l;
		}
	}
	if (nl > 0 && (rc = train_head(r, ls, y, nl, C, m, MODEL_LANG0)) !=
	    MJ_OK)
		goto done;
	m->ntrain = (uint32_t)n;
	/* Scored and saved as it will predict once loaded. */
	if ((rc = model_quantize(m, 1)) != MJ_OK)
		goto done;
	*out = m;
	m = NULL;
done:
	free(y);
	free(ls);
	model_free(m);
	return rc;
}

static int
corpus_ok(const struct corpus *c)
{
	int	seen[INTENT__COUNT] = { 0 }, k = 0;

	for (size_t i = 0; i < c->n; i++)
		if (!seen[c->v[i].intent]++)
			k++;
	return k >= 2;
}

/* Fold of each item: round robin within each intent, in corpus order. */
static void
folds_of(const struct corpus *c, int k, int *fold)
{
	int	next[INTENT__COUNT] = { 0 };

	for (size_t i = 0; i < c->n; i++)
		fold[i] = next[c->v[i].intent]++ % k;
}

static void
report_one(struct cv_report *rep, int sys, const struct corpus_item *it,
    const struct nlu_result *r)
{
	int	want = it->intent, got = r->intent;
	int	lb = it->lang >= 0 ? it->lang : LANG__COUNT;
	int	acts = got == INTENT_OPT_OUT && !r->confirm;

	rep->conf[sys][want][got]++;
	rep->by_lang[sys][lb][0]++;
	rep->by_lang[sys][lb][1] += want == got;
	if (acts && want == INTENT_OPT_OUT)
		rep->optout_tp[sys]++;
	else if (acts)
		rep->optout_fp[sys]++;
	else if (want == INTENT_OPT_OUT)
		rep->optout_fn[sys]++;
}

/* The language a result answers in, as the eval labels it. */
static int
lang_label(const struct nlu_result *r)
{
	return r->lang_sure ? (int)r->lang : LANG__COUNT;
}

enum mj_err
train_cv(const struct nlu *nl, const struct corpus *c,
    const struct train_opts *o, double threshold, struct cv_report *rep)
{
	struct rows	 r;
	int		 k = o != NULL && o->folds > 1 ? o->folds : 10;
	double		 C = o != NULL && o->C > 0 ? o->C : C_DEFAULT;
	int		*fold = NULL;
	size_t		*sel = NULL;
	enum mj_err	 rc;

	memset(rep, 0, sizeof(*rep));
	rep->threshold = threshold;
	if (c->n < (size_t)k || !corpus_ok(c))
		return MJ_EINPUT;
	if ((rc = rows_make(nl, c, &r)) != MJ_OK)
		return rc;
	fold = malloc(c->n * sizeof(*fold));
	sel = malloc(c->n * sizeof(*sel));
	if (fold == NULL || sel == NULL) {
		rc = MJ_ENOMEM;
		goto done;
	}
	folds_of(c, k, fold);
	for (int f = 0; f < k; f++) {
		struct model	*m;
		size_t		 n = 0;

		for (size_t i = 0; i < c->n; i++)
			if (fold[i] != f)
				sel[n++] = i;
		if ((rc = train_on(&r, c, sel, n, C, &m)) != MJ_OK)
			goto done;
		for (size_t i = 0; i < c->n; i++) {
			const struct corpus_item *it = &c->v[i];
			struct nlu_result	  both, alone;
			float			  p[INTENT__COUNT];
			int			  best = 0, lb;

			if (fold[i] != f)
				continue;
			rep->n++;
			if ((rc = nlu_understand_with(nl, m, threshold,
			    it->text, strlen(it->text), &both, p)) != MJ_OK) {
				model_free(m);
				goto done;
			}
			for (int j = 1; j < INTENT__COUNT; j++)
				if (p[j] > p[best])
					best = j;
			alone = both;
			alone.intent = (enum intent)best;
			alone.confirm = 0;
			report_one(rep, CV_PATTERNS, it, &r.pat[i]);
			report_one(rep, CV_MODEL, it, &alone);
			report_one(rep, CV_BOTH, it, &both);
			if (o != NULL && o->misses != NULL &&
			    both.intent != it->intent)
				fprintf(o->misses, "%s\t%s\t%s\t%.2f\n",
				    it->text, intent_name(it->intent),
				    intent_name(both.intent), both.prob);
			if (both.intent == INTENT_OPT_OUT && both.confirm)
				rep->optout_asked++;
			lb = it->lang >= 0 ? it->lang : LANG__COUNT;
			rep->lang_n++;
			rep->lang_ok[0] += lang_label(&r.pat[i]) == lb;
			rep->lang_ok[1] += lang_label(&both) == lb;
			for (int t = 0; t < 20; t++) {
				struct nlu_result tr;

				if (nlu_understand_with(nl, m, t * 0.05,
				    it->text, strlen(it->text), &tr, NULL) !=
				    MJ_OK)
					continue;
				rep->thr_ok[t] += tr.intent == it->intent;
				rep->thr_known[t] += tr.intent !=
				    INTENT_UNKNOWN;
			}
		}
		model_free(m);
	}
	rc = MJ_OK;
done:
	free(fold);
	free(sel);
	rows_free(&r);
	return rc;
}

double
cv_accuracy(const struct cv_report *rep, int sys)
{
	unsigned ok = 0;

	for (int i = 0; i < INTENT__COUNT; i++)
		ok += rep->conf[sys][i][i];
	return rep->n ? (double)ok / rep->n : 0.0;
}

enum mj_err
train_model(const struct nlu *nl, const struct corpus *c,
    const struct train_opts *o, struct model **out)
{
	struct rows	 r;
	double		 C = o != NULL && o->C > 0 ? o->C : C_DEFAULT;
	double		 cv = 0;
	size_t		*sel;
	enum mj_err	 rc;

	*out = NULL;
	if (c->n == 0 || !corpus_ok(c))
		return MJ_EINPUT;
	if (o != NULL && o->cv) {
		struct cv_report *rep = malloc(sizeof(*rep));

		if (rep == NULL)
			return MJ_ENOMEM;
		rc = train_cv(nl, c, o, nlu_get_threshold(nl), rep);
		cv = cv_accuracy(rep, CV_BOTH);
		free(rep);
		if (rc != MJ_OK)
			return rc;
	}
	if ((rc = rows_make(nl, c, &r)) != MJ_OK)
		return rc;
	if ((sel = malloc(c->n * sizeof(*sel))) == NULL) {
		rows_free(&r);
		return MJ_ENOMEM;
	}
	for (size_t i = 0; i < c->n; i++)
		sel[i] = i;
	rc = train_on(&r, c, sel, c->n, C, out);
	if (rc == MJ_OK) {
		(*out)->cv_accuracy = (float)cv;
		(*out)->trained_at = o != NULL ? o->trained_at : 0;
	}
	free(sel);
	rows_free(&r);
	return rc;
}

static double
pct(unsigned a, unsigned b)
{
	return b ? 100.0 * a / b : 0.0;
}

static const char *const sys_name[3] = { "patterns", "model", "both" };

void
cv_print(const struct cv_report *rep, FILE *f)
{
	fprintf(f, "stratified 10-fold cross-validation over %u messages: "
	    "every figure scores messages the model was not trained on\n\n",
	    rep->n);
	fprintf(f, "intent accuracy      patterns  model   both\n");
	fprintf(f, "  all               %7.1f%% %6.1f%% %6.1f%%\n",
	    100 * cv_accuracy(rep, 0), 100 * cv_accuracy(rep, 1),
	    100 * cv_accuracy(rep, 2));
	for (int l = 0; l <= LANG__COUNT; l++) {
		fprintf(f, "  %-8s (%4u)  ", l == LANG__COUNT ? "-" :
		    lang_tag((enum lang)l), rep->by_lang[2][l][0]);
		for (int s = 0; s < 3; s++)
			fprintf(f, "%7.1f%%", pct(rep->by_lang[s][l][1],
			    rep->by_lang[s][l][0]));
		fprintf(f, "\n");
	}
	fprintf(f, "\nper intent (recall / precision)\n");
	for (int i = 0; i < INTENT__COUNT; i++) {
		unsigned n = 0;

		for (int j = 0; j < INTENT__COUNT; j++)
			n += rep->conf[2][i][j];
		fprintf(f, "  %-16s (%4u)", intent_name((enum intent)i), n);
		for (int s = 0; s < 3; s++) {
			unsigned row = 0, col = 0;

			for (int j = 0; j < INTENT__COUNT; j++) {
				row += rep->conf[s][i][j];
				col += rep->conf[s][j][i];
			}
			fprintf(f, "  %s %5.1f / %5.1f", sys_name[s],
			    pct(rep->conf[s][i][i], row),
			    pct(rep->conf[s][i][i], col));
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\nconfusion of both (rows: labelled, columns: got)\n"
	    "%16s", "");
	for (int j = 0; j < INTENT__COUNT; j++)
		fprintf(f, " %4.4s", intent_name((enum intent)j));
	fprintf(f, "\n");
	for (int i = 0; i < INTENT__COUNT; i++) {
		fprintf(f, "%16s", intent_name((enum intent)i));
		for (int j = 0; j < INTENT__COUNT; j++)
			fprintf(f, " %4u", rep->conf[2][i][j]);
		fprintf(f, "\n");
	}
	fprintf(f, "\nopt-out that stops notices  precision  recall\n");
	for (int s = 0; s < 3; s++)
		fprintf(f, "  %-9s                  %6.3f   %6.3f\n",
		    sys_name[s], rep->optout_tp[s] + rep->optout_fp[s] ?
		    (double)rep->optout_tp[s] / (rep->optout_tp[s] +
		    rep->optout_fp[s]) : 1.0, rep->optout_tp[s] +
		    rep->optout_fn[s] ? (double)rep->optout_tp[s] /
		    (rep->optout_tp[s] + rep->optout_fn[s]) : 1.0);
	fprintf(f, "  model-only opt-outs asked to confirm: %u\n",
	    rep->optout_asked);
	fprintf(f, "\nlanguage of the reply: detector %.1f%%, model %.1f%% "
	    "(%u messages)\n", pct(rep->lang_ok[0], rep->lang_n),
	    pct(rep->lang_ok[1], rep->lang_n), rep->lang_n);
	fprintf(f, "\nthreshold  accuracy  understood (both)\n");
	for (int t = 0; t < 20; t++)
		fprintf(f, "  %4.2f%s    %5.1f%%    %5.1f%%\n", t * 0.05,
		    fabs(t * 0.05 - rep->threshold) < 1e-9 ? "*" : " ",
		    pct(rep->thr_ok[t], rep->n), pct(rep->thr_known[t],
		    rep->n));
	fprintf(f, "\ncross-validated intent accuracy: %.3f\n",
	    cv_accuracy(rep, CV_BOTH));
}
