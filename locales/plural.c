/*
 * plural.c - CLDR plural rules (see plural.h).  Pure functions, no state.
 */
#include "locales/plural.h"

enum cat { CAT_ONE, CAT_FEW, CAT_MANY, CAT_OTHER };

static unsigned long
absval(long n)
{
	/* Through unsigned, so LONG_MIN has an absolute value too. */
	return n < 0 ? 0UL - (unsigned long)n : (unsigned long)n;
}

static enum cat
category(enum lang l, long n)
{
	unsigned long	i = absval(n), m10 = i % 10, m100 = i % 100;

	switch (l) {
	case LANG_RU:
		if (m10 == 1 && m100 != 11)
			return CAT_ONE;
		if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14))
			return CAT_FEW;
		return CAT_MANY;
	case LANG_UZ_LATN:
	case LANG_UZ_CYRL:	/* CLDR "uz": one n = 1; uz_Cyrl follows it */
	case LANG_EN:		/* one: i = 1 and v = 0 */
	default:
		return i == 1 ? CAT_ONE : CAT_OTHER;
	}
}

int
plural_nforms(enum lang l)
{
	return l == LANG_RU ? 3 : 2;
}

int
plural_index(enum lang l, long n)
{
	switch (category(l, n)) {
	case CAT_ONE:
		return 0;
	case CAT_FEW:
		return 1;
	case CAT_MANY:
		return 2;
	case CAT_OTHER:
	default:
		return 1;
	}
}

const char *
plural_category(enum lang l, long n)
{
	static const char *const names[] = { "one", "few", "many", "other" };

	return names[category(l, n)];
}

const char *
plural_forms_header(enum lang l)
{
	if (l == LANG_RU)
		return "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : "
		    "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);";
	return "nplurals=2; plural=(n != 1);";
}
