/*
 * detect.h - language and script of one message from the evidence the
 * matcher gathered: weighted marker words of each language (pattern files'
 * @words), letters only Uzbek Cyrillic has (ў қ ғ ҳ), letters only Russian
 * has (щ ы), oʻ/gʻ and q in Latin words.  Shared loanwords, codes, digits
 * and emoji carry no evidence, and a message with none is "not sure".
 */
#ifndef INTENTS_DETECT_H
#define INTENTS_DETECT_H
#include "base/lang.h"
#include "intents/patterns.h"

struct detect_ev {
	int		w[PL__COUNT];	/* word evidence per language */
	unsigned	cyr, latn;	/* letters of each script */
	unsigned	uz_cyr;		/* ў қ ғ ҳ */
	unsigned	ru_cyr;		/* щ ы */
	unsigned	okina;		/* oʻ gʻ in Latin */
	unsigned	q_words;	/* Latin words with q */
};

struct detect_out {
	enum lang	lang;
	int		sure;
	int		tie;	/* evidence tied: a pattern's language decides */
};

/* Decide from ev.  hint is the language slot of the winning pattern or -1. */
void	detect_decide(const struct detect_ev *ev, int hint,
	    struct detect_out *out);

/* The evidence slot of a language: uz-Latn and uz-Cyrl share PL_UZ. */
enum pat_lang	detect_slot(enum lang);

#endif
