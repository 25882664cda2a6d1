/*
 * train.h - training the intent model with liblinear (L2-regularised
 * logistic regression, primal solver: deterministic, so one corpus gives
 * one byte-identical model) and measuring it honestly: stratified k-fold
 * cross-validation, train on k-1 folds, score the one left out.
 */
#ifndef INTENTS_TRAIN_H
#define INTENTS_TRAIN_H
#include <stdio.h>

#include "base/err.h"
#include "intents/corpus.h"
#include "intents/model.h"
#include "intents/nlu.h"

struct train_opts {
	double		C;		/* inverse regularisation; 0: default */
	int		folds;		/* cross-validation folds; 0: 10 */
	int		cv;		/* 1: measure cv_accuracy before training */
	int64_t		trained_at;	/* recorded in the model; 0 for builds */
	FILE		*misses;	/* train_cv: each held-out miss of both
					 * (text, labelled, got, p), or NULL */
};

/*
 * Train on the whole corpus (after a cross-validation when o->cv, whose
 * figure the model records).  nl supplies normalisation and entities.
 * MJ_EINPUT when the corpus has fewer than 2 intents or no message.
 */
enum mj_err	train_model(const struct nlu *nl, const struct corpus *,
		    const struct train_opts *o, struct model **out);

/* What cross-validation measured; every figure from held-out folds only. */
struct cv_report {
	unsigned	n;
	unsigned	conf[3][INTENT__COUNT][INTENT__COUNT];	/* per system:
						 * rows labelled, cols got */
	unsigned	by_lang[3][LANG__COUNT + 1][2];	/* [n, correct]; last: "-" */
	unsigned	optout_tp[3], optout_fp[3], optout_fn[3];
	unsigned	optout_asked;	/* model-only opt-outs sent to confirm */
	unsigned	lang_n, lang_ok[2];	/* reply language: detector, model */
	double		threshold;
	/* accuracy and coverage at thresholds 0.00, 0.05, ... 0.95 ("both") */
	unsigned	thr_ok[20], thr_known[20];
};
enum { CV_PATTERNS = 0, CV_MODEL, CV_BOTH };

/*
 * Stratified cross-validation over the corpus (folds by intent, in corpus
 * order, so runs repeat), scoring patterns alone, model alone and both as
 * nlu combines them at threshold.
 */
enum mj_err	train_cv(const struct nlu *nl, const struct corpus *,
		    const struct train_opts *o, double threshold,
		    struct cv_report *out);
double		cv_accuracy(const struct cv_report *, int system);
/* The report make eval prints, ending "cross-validated intent accuracy". */
void		cv_print(const struct cv_report *, FILE *);

#endif
