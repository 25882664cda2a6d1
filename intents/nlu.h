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

enum intent {
	INTENT_UNKNOWN = 0,
	INTENT_GREETING,
	INTENT_THANKS,
	INTENT_STATUS_CHECK,
	INTENT_ELIGIBILITY,
	INTENT_DOCUMENTS,
	INTENT_OFFICE_LOCATION,
	INTENT_HUMAN_OPERATOR,
	INTENT_LANGUAGE_CHANGE,
	INTENT_OPT_OUT,
	INTENT_OPT_IN,
	INTENT_HELP,
	INTENT__COUNT
};

/* "unknown", "greeting", ... "help"; a static string, "unknown" if out of range. */
const char	*intent_name(enum intent);
/* The enum value of a name from intent_name(), or -1. */
int		 intent_from_name(const char *);

/* What decided the intent of a message. */
enum nlu_source {
	NLU_SRC_NONE = 0,	/* nothing: unknown */
	NLU_SRC_PATTERN,	/* a pattern (commands, overrides, or no model) */
	NLU_SRC_MODEL,		/* the trained model, at or above the threshold */
	NLU_SRC_RULE		/* a rule over entities (an application number) */
};

/* The letters a message is mostly written in. */
enum nlu_script {
	NLU_SCRIPT_NONE = 0,	/* digits, codes, emoji only */
	NLU_SCRIPT_LATN,
	NLU_SCRIPT_CYRL
};

#define NLU_MAX_TEXT	4096	/* bytes understood; the rest is not read */

struct nlu_result {
	enum lang	lang;		/* language and script of this message */
	int		lang_sure;	/* 0: digits, a code, "ok", "?", an emoji
					 * or a shared loanword only; keep the
					 * conversation's language */
	enum intent	intent;
	char		app_no[16];	/* "AR-2025-000001" or "" */
	char		pinfl[15];	/* 14 digits or "" */
	char		phone[17];	/* E.164 "+998901234567" or "" */
	char		program[24];	/* child_allowance, material_aid,
					 * social_registry, disability,
					 * youth_register, women_register,
					 * pension, or "" */
	int		has_number;	/* a plain amount or count, not part of
					 * an app_no, phone or pinfl */
	double		number;
	int		lang_choice;	/* language_change: the LANG_* asked
					 * for, or -1 */
	enum nlu_source	source;		/* what decided intent */
	float		prob;		/* the model's probability of intent
					 * (0 without a model; a pattern that
					 * must override: 1) */
	int		confirm;	/* opt_out from the model alone: ask
					 * before stopping notices */
	enum nlu_script	script;		/* letters the message is written in,
					 * codes aside (nlu_text_script) */
	enum intent	pattern_intent;	/* what the patterns alone read
					 * (unknown: nothing), whoever decided */
	int		words;		/* words in the message */
};

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
 * NUL byte, MJ_ENOMEM, MJ_EINTERNAL when PCRE2
 * fails (logged without the text).
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
