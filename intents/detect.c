/*
 * detect.c - pick the language and script from gathered evidence.
 * See detect.h; the marker words live in the pattern files.
 */
#include "intents/detect.h"

enum pat_lang
detect_slot(enum lang l)
{
	switch (l) {
	case LANG_RU:
		return PL_RU;
	case LANG_EN:
		return PL_EN;
	default:
		return PL_UZ;
	}
}

void
detect_decide(const struct detect_ev *ev, int hint, struct detect_out *out)
{
	int	s[PL__COUNT];
	int	cyr = ev->cyr > ev->latn;
	int	best = -1, bestv = 0, ties = 0;
	/* Order among equals when no pattern decides. */
	static const int order_cyr[] = { PL_RU, PL_UZ };
	static const int order_latn[] = { PL_UZ, PL_EN, PL_RU };
	const int	*order = cyr ? order_cyr : order_latn;
	int		 norder = cyr ? 2 : 3;

	for (int i = 0; i < PL__COUNT; i++)
		s[i] = ev->w[i];
	s[PL_UZ] += 3 * (int)ev->uz_cyr + 2 * (int)ev->okina +
	    (int)ev->q_words;
	s[PL_RU] += 2 * (int)ev->ru_cyr;
	if (cyr)
		s[PL_EN] = 0;

	for (int i = 0; i < norder; i++) {
		int	l = order[i];

		if (s[l] > bestv) {
			best = l;
			bestv = s[l];
			ties = 0;
		} else if (s[l] == bestv && bestv > 0) {
			ties++;
			if (l == hint)
				best = l;
		}
	}
	out->tie = ties > 0;
	if (best < 0 || bestv <= 0) {
		out->sure = 0;
		if (ev->cyr == 0 && ev->latn == 0)
			out->lang = LANG_DEFAULT;
		else
			out->lang = cyr ? LANG_RU : LANG_UZ_LATN;
		return;
	}
	out->sure = 1;
	if (best == PL_RU)
		out->lang = LANG_RU;
	else if (best == PL_EN)
		out->lang = LANG_EN;
	else
		out->lang = cyr ? LANG_UZ_CYRL : LANG_UZ_LATN;
}
