/*
 * normalize_test.c - intents/normalize.c: case folding, apostrophes,
 * dashes, spaces, digits, invisible characters, mixed-script look-alikes,
 * and bad input.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "intents/normalize.h"

static const struct {
	const char	*in, *want;
} cases[] = {
	{ "SALOM", "salom" },
	{ "  Arizam   HOLATI\t\n", "arizam holati" },
	{ "O'zbek", "oʻzbek" },
	{ "o`zbek", "oʻzbek" },
	{ "o‘zbek", "oʻzbek" },
	{ "o’zbek", "oʻzbek" },
	{ "o´zbek", "oʻzbek" },
	{ "oʼzbek", "oʻzbek" },
	{ "G'ALABA", "gʻalaba" },
	{ "ma'no", "maʼno" },
	{ "ma’lumot", "maʼlumot" },
	{ "AR–2025—4512", "ar-2025-4512" },
	{ "AR\xe2\x88\x92" "2025", "ar-2025" },			/* minus sign */
	{ "ari\xe2\x80\x8bza", "ariza" },			/* zero width */
	{ "\xef\xbb\xbfsalom", "salom" },			/* BOM */
	{ "1\xc2\xa0" "000", "1 000" },				/* no-break space */
	{ "\xd9\xa3\xd9\xa4", "34" },				/* Arabic-Indic */
	{ "\xef\xbc\x95", "5" },				/* fullwidth 5 */
	{ "АРИЗА ҲОЛАТИ", "ариза ҳолати" },
	{ "ЎЗБЕК", "ўзбек" },
	{ "у\xcc\x86", "ў" },					/* NFC */
	{ "ariz\xd0\xb0", "ariza" },		/* Cyrillic а in a Latin word */
	{ "з\x61явка", "заявка" },		/* Latin a in a Cyrillic word */
	{ "Straße", "strasse" },
	{ "", "" },
	{ "   ", "" },
	{ NULL, NULL }
};

int
main(void)
{
	char			out[256];
	size_t			n;
	struct norm_info	ni;

	for (int i = 0; cases[i].in != NULL; i++) {
		enum mj_err	rc = normalize_text(cases[i].in,
		    strlen(cases[i].in), out, sizeof out, &n, &ni);

		CHECK_INT(rc, MJ_OK);
		CHECK_STR(out, cases[i].want);
		CHECK_INT(n, strlen(cases[i].want));
	}
	CHECK_INT(normalize_text("salom ариза", 16, out, sizeof out, &n, &ni),
	    MJ_OK);
	CHECK_INT(ni.latn, 5);
	CHECK_INT(ni.cyr, 5);
	CHECK_INT(normalize_text("\xc3\x28", 2, out, sizeof out, &n, NULL),
	    MJ_EINPUT);
	CHECK_INT(normalize_text("a\0b", 3, out, sizeof out, &n, NULL),
	    MJ_EINPUT);
	CHECK_INT(normalize_text("\xf4\x90\x80\x80", 4, out, sizeof out, &n,
	    NULL), MJ_EINPUT);				/* above U+10FFFF */
	CHECK_INT(normalize_text("salom", 5, out, 3, &n, NULL), MJ_ETOOBIG);
	return check_done("normalize");
}
