/*
 * model.h - the trained intent model: hashed features of a message in, a
 * probability per intent (and per language) out.
 *
 * Features (model_features): the message normalised (NFC, case folded),
 * apostrophes dropped, Cyrillic transliterated to Latin so that both
 * scripts share one spelling, every run of digits replaced by a class
 * token by its length; then character n-grams of 1 to 5 inside each word
 * (with word edges), word unigrams and bigrams, and tokens for the
 * entities found (an application number, a PINFL, a phone) and the
 * script.  Each is hashed (FNV-1a) into MODEL_DIM slots; the vector is
 * scaled to unit length.
 *
 * The model file is little-endian binary: a header (magic "MJMODEL1",
 * dimensions, the class lists, the cross-validated accuracy measured when
 * it was trained, a checksum of the weights) and float32 weights.  It is
 * read whole and checked: a short, corrupt or foreign file is refused
 * with a reason, never half loaded.
 *
 * A loaded model is read-only: any number of threads may predict with it.
 */
#ifndef INTENTS_MODEL_H
#define INTENTS_MODEL_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/lang.h"
#include "intents/intent.h"

#define MODEL_BITS	17
#define MODEL_DIM	(1u << MODEL_BITS)
#define MODEL_MAX_FEATS	4096	/* features of one message at the most */

/* Language classes of the model's second head. */
/* The reply's language the model learns; ML_NONE: the text does not say
 * ("3 mln", "menu", "STOP": the conversation's language answers). */
enum model_lang { ML_UZ = 0, ML_RU, ML_EN, ML_NONE, ML__COUNT };

struct feat {
	uint32_t	idx;		/* 0 .. MODEL_DIM - 1 */
	float		val;
};

/* A message's features: sorted by idx, no idx twice, unit length. */
struct feat_vec {
	struct feat	*f;
	size_t		 n, cap;	/* cap is fixed at MODEL_MAX_FEATS */
	uint64_t	*seen;		/* MODEL_DIM bits, all clear between uses */
};

enum mj_err	feat_vec_init(struct feat_vec *);
void		feat_vec_free(struct feat_vec *);

/*
 * Features of folded text t[0..n) (normalised, no apostrophes, Latin:
 * what nlu builds as its Latin view).  r supplies the entities and the
 * script.  Long text is cut at MODEL_MAX_FEATS features.
 */
/* Features of t, each slot once, in the order first seen. */
void		model_features(const char *t, size_t n,
		    const struct nlu_result *r, struct feat_vec *out);

struct model;	/* opaque, read-only once loaded */

struct model_info {
	uint32_t	dim;
	int		nclass;		/* INTENT__COUNT */
	float		cv_accuracy;	/* 0..1, measured when trained; 0 unknown */
	uint32_t	ntrain;		/* messages it was trained on */
	int64_t		trained_at;	/* unix seconds, 0 for a build */
	size_t		bytes;		/* memory it holds */
};

/* On failure *out is NULL and where says why (MJ_ENOTFOUND, MJ_EINPUT). */
enum mj_err	model_load(struct model **out, const char *path, char *where,
		    size_t wherelen);
/* The same from memory (the fuzz target); buf is copied. */
enum mj_err	model_load_mem(struct model **out, const void *buf, size_t len,
		    char *where, size_t wherelen);
/* Write atomically (a temporary file renamed over path). */
enum mj_err	model_save(const struct model *, const char *path);
void		model_free(struct model *);	/* NULL is fine */
void		model_get_info(const struct model *, struct model_info *);

/* Probabilities per intent (sum 1) and per model_lang (sum 1). */
void		model_predict(const struct model *, const struct feat_vec *,
		    float p_intent[INTENT__COUNT], float p_lang[ML__COUNT]);

#endif
