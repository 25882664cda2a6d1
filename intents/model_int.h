/*
 * model_int.h - the model's insides, shared by model.c (file, prediction)
 * and train.c (which fills one from liblinear).  intents/ only.
 */
#ifndef INTENTS_MODEL_INT_H
#define INTENTS_MODEL_INT_H
#include "intents/model.h"

#define MODEL_VERSION		1
#define MODEL_FEATURES_VERSION	1	/* bump when model_features() changes */
#define MODEL_K			16	/* weights per slot: intents, languages, pad */
#define MODEL_LANG0		INTENT__COUNT	/* first language column */
#define MODEL_HDR		(40 + 24 * INTENT__COUNT)

/*
 * w[idx * MODEL_K + k]: slot idx, class k (0..INTENT__COUNT-1 the intents,
 * MODEL_LANG0 + model_lang the languages).  A class the training data did
 * not have keeps bias -INFINITY and is never predicted.
 */
struct model {
	float		*w;		/* as trained and saved; NULL once loaded */
	int8_t		*q;		/* w / qscale, rounded: what predicts */
	float		 qscale[MODEL_K];
	float		 bias[MODEL_K];
	float		 cv_accuracy;
	uint32_t	 ntrain;
	int64_t		 trained_at;
};

struct model	*model_alloc(void);	/* zero weights, every bias -inf */
/*
 * The weights as bytes (one scale a class: 2 MB instead of 8 for the
 * same 2^17 slots, so that prediction reads a quarter as much memory).
 * keep: keep w as well (training saves it).  MJ_ENOMEM.
 */
enum mj_err	 model_quantize(struct model *, int keep);
size_t		 model_file_size(void);

#endif
