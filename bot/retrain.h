/*
 * retrain.h - the supervisor's model actions: train a new intent model
 * from the corpus and the help desk's labels, make it the active one, or
 * go back to the one before.
 *
 * The files live beside the database: model.bin (active), model.new.bin
 * (trained, not active yet), model.prev.bin (active before the last
 * activation) and model.rolledback.bin (the one a rollback replaced).
 * Training itself belongs to intents/; this module reaches it only
 * through the trainer main.c registers, so it holds no model code.
 * Safe from any thread; one retraining at a time.
 */
#ifndef BOT_RETRAIN_H
#define BOT_RETRAIN_H
#include <stddef.h>

#include "base/conf.h"
#include "base/err.h"
#include "store/store.h"

struct retrain_trainer {
	void	*ctx;
	/*
	 * Train on the project's corpus plus labels_tsv (the help desk's
	 * labels in the corpus format, intents/corpus.h) and write the
	 * model to out_path; *cv_acc gets its cross-validated accuracy,
	 * 0..1.  Returns 0, or -1 with err saying why.  Runs on the
	 * requesting thread, may take a while, and is never called twice
	 * at once.
	 */
	int	(*train)(void *ctx, const char *labels_tsv, const char *out_path,
		    double *cv_acc, char *err, size_t errlen);
	/* The active model's cross-validated accuracy, 0..1; < 0: none. */
	double	(*current_cv)(void *ctx);
	/*
	 * Optional (NULL: the service notices the file change itself): the
	 * model at path is now model.bin; load it.  Returns 0, or -1 with
	 * err, and the files are put back as they were.
	 */
	int	(*reload)(void *ctx, const char *path, char *err,
		    size_t errlen);
};

/* Register t (copied; NULL: none, and retraining is unavailable). */
void		retrain_set_trainer(const struct retrain_trainer *t);

struct retrain_result {
	double	 new_cv;	/* the new model's, 0..1 */
	double	 current_cv;	/* the active model's; < 0: none */
	size_t	 labels;	/* help-desk labels trained on */
	char	 err[256];	/* why it failed */
};

/*
 * Train model.new.bin.  MJ_ECONFIG: no trainer registered; MJ_EINTERNAL:
 * a retraining is running already (err says so); MJ_EUPSTREAM: the
 * trainer failed (err says why); MJ_EDB, MJ_ENOMEM.
 */
enum mj_err	retrain_run(const struct conf *, struct store *,
		    struct retrain_result *out);
/*
 * model.bin -> model.prev.bin, model.new.bin -> model.bin.  MJ_ENOTFOUND:
 * no model.new.bin; MJ_EUPSTREAM: the reload failed (err; files put
 * back); MJ_EINTERNAL: a rename failed (logged).
 */
enum mj_err	retrain_activate(const struct conf *, char *err,
		    size_t errlen);
/*
 * model.prev.bin -> model.bin (the replaced model kept as
 * model.rolledback.bin).  Errors as retrain_activate; MJ_ENOTFOUND: no
 * model.prev.bin.
 */
enum mj_err	retrain_rollback(const struct conf *, char *err,
		    size_t errlen);

struct retrain_status {
	int	trainer;	/* 1: retraining is available */
	int	active, fresh, prev;	/* model.bin, .new, .prev exist */
	int	running;	/* a retraining is under way */
	double	current_cv;	/* < 0: unknown */
};
void		retrain_status(const struct conf *, struct retrain_status *);

/* The path of a model file ("model.bin", ...) beside the database. */
void		retrain_path(const struct conf *, const char *name, char *buf,
		    size_t len);
#endif
