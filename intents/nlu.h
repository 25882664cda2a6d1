/*
 * nlu.h - text in, meaning out: normalise, detect language and script,
 * match the intent, extract entities.
 *
 * The pattern set loads once at start-up (nlu_load) and is read-only
 * afterwards, so any number of threads may call nlu_understand() on it at
 * once.  Nothing here logs message text.
 */
#ifndef INTENTS_NLU_H
#define INTENTS_NLU_H
#include <stddef.h>

#include "base/err.h"
#include "base/lang.h"
#include "intents/intent.h"

struct nlu;	/* opaque, read-only after nlu_load() */

/*
 * Load every pattern file in dir (see intents/patterns.h for the format)
 * and compile it with the PCRE2 JIT.  On failure *out is NULL and where
 * holds "file:line: message"; MJ_ECONFIG for a bad file, MJ_ENOMEM.
 */
enum mj_err	nlu_load(struct nlu **out, const char *dir, char *where,
		    size_t wherelen);

/*
 * Understand text[0..len).  out is always filled (INTENT_UNKNOWN, no
 * entities) even on failure.  Over NLU_MAX_TEXT bytes, the beginning is
 * understood (cut between characters).  MJ_EINPUT for invalid UTF-8 or a
 * NUL byte, MJ_ENOMEM, MJ_EINTERNAL when transliteration fails.  A pattern
 * that PCRE2 cannot run to the end (a match limit, say) counts as not
 * matching and is logged, without the text, as intents.match_fail.
 */
enum mj_err	nlu_understand(const struct nlu *, const char *text, size_t len,
		    struct nlu_result *out);

void		nlu_free(struct nlu *);		/* NULL is fine */

struct model;
struct model_info;

/*
 * The trained model nlu decides with (intents/model.h); NULL: patterns
 * alone.  nlu takes m over; the model it replaces is freed once no
 * nlu_understand() still uses it, so a swap needs no restart and may
 * happen while other threads understand messages.
 */
void		nlu_set_model(struct nlu *, struct model *m);
/*
 * Load the model file at path and swap it in.  On failure the current
 * model stays and where says why.
 */
enum mj_err	nlu_load_model(struct nlu *, const char *path, char *where,
		    size_t wherelen);
/* The active model's figures; 0 when there is none. */
int		nlu_model_info(const struct nlu *, struct model_info *out);
/*
 * Below this probability the model's intent is unknown (default
 * NLU_THRESHOLD, the conf key nlu.threshold).
 */
void		nlu_set_threshold(struct nlu *, double);
double		nlu_get_threshold(const struct nlu *);
#define NLU_THRESHOLD	0.35

/*
 * nlu_understand() with a given model (NULL: patterns alone) and
 * threshold instead of the active ones: cross-validation scores each
 * fold's model this way.  p_intent, when not NULL, gets the model's
 * probabilities (zeros without a model).
 */
enum mj_err	nlu_understand_with(const struct nlu *, const struct model *m,
		    double threshold, const char *text, size_t len,
		    struct nlu_result *out, float *p_intent);

struct feat_vec;
/*
 * The model's features of text, as nlu_understand() computes them (the
 * training side).  r gets the patterns-alone result.
 */
/*
 * The letters text[0..len) is written in (nlu_result.script): letters in a
 * word with digits (a code: "AR-2025-000002") and, when has_app_no, the
 * "ar" of a number written apart ("ar 2025 4512") do not count, so that a
 * code alone names no script.  text is valid UTF-8.
 */
enum nlu_script	nlu_text_script(const char *text, size_t len, int has_app_no);

enum mj_err	nlu_features(const struct nlu *, const char *text, size_t len,
		    struct feat_vec *fv, struct nlu_result *r);

#endif
