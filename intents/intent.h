/*
 * intent.h - what a message means, as every part of understanding and the
 * bot above it speak of it: the intent, what decided it, and the result of
 * reading one message.  Only types and names: patterns, entities, the
 * model and nlu all include it, and it includes nothing of theirs.
 */
#ifndef INTENTS_INTENT_H
#define INTENTS_INTENT_H
#include <stddef.h>

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
#endif
