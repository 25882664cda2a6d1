/*
 * translit_test.c - intents/translit.c over tests/fixtures/translit.tsv
 * (cyrillic, latin, direction), plus apostrophe variants and bad input.
 * Run from the project root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "intents/translit.h"
#include "intents_tsv.h"

#define FIXTURE "tests/fixtures/translit.tsv"

static void
one(const char *dir, int lineno, const char *in, const char *want,
    enum mj_err (*fn)(const char *, size_t, char **))
{
	char		*out = NULL;
	enum mj_err	 rc = fn(in, strlen(in), &out);

	if (rc == MJ_OK && strcmp(out, want) == 0) {
		check_passed++;
	} else {
		check_failed++;
		fprintf(stderr, "%s:%d: to %s \"%s\": got \"%s\", want \"%s\"\n",
		    FIXTURE, lineno, dir, in, rc == MJ_OK ? out :
		    mj_strerror(rc), want);
	}
	free(out);
}

int
main(void)
{
	char	 line[4096];
	FILE	*f = fopen(FIXTURE, "r");
	int	 lineno = 0;
	char	*out;

	if (f == NULL) {
		fprintf(stderr, "%s: cannot open\n", FIXTURE);
		return 1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char	*fl[3];

		lineno++;
		if (tsv_split(line, fl, 3) == 0)
			continue;
		if (strcmp(fl[2], "cyrl") != 0)
			one("latn", lineno, fl[0], fl[1], translit_to_latn);
		if (strcmp(fl[2], "latn") != 0)
			one("cyrl", lineno, fl[1], fl[0], translit_to_cyrl);
	}
	fclose(f);

	/* Every apostrophe a keyboard gives reads as oʻ / gʻ / tutuq. */
	{
		static const char *const forms[] = {
			"o'zbek", "o`zbek", "o‘zbek", "o’zbek", "oʻzbek",
			"o´zbek", NULL
		};

		for (int i = 0; forms[i] != NULL; i++) {
			CHECK_INT(translit_to_cyrl(forms[i], strlen(forms[i]),
			    &out), MJ_OK);
			CHECK_STR(out, "ўзбек");
			free(out);
		}
	}
	/* Decomposed ў (у + U+0306) is composed first. */
	CHECK_INT(translit_to_latn("у\xcc\x86", 4, &out), MJ_OK);
	CHECK_STR(out, "oʻ");
	free(out);
	CHECK_INT(translit_to_latn("\xff", 1, &out), MJ_EINPUT);
	CHECK(out == NULL);
	CHECK_INT(translit_to_cyrl("a\0b", 3, &out), MJ_EINPUT);
	CHECK(out == NULL);
	CHECK_INT(translit_to_latn("", 0, &out), MJ_OK);
	CHECK_STR(out, "");
	free(out);
	{
		char	buf[4];

		CHECK_INT(translit_latn_buf("шшшш", 8, buf, sizeof buf, 0),
		    (long long)(size_t)-1);
	}
	return check_done("translit");
}
