/*
 * mask_fuzz.c - mask_text() and mask_text_all() on any bytes: the result
 * has the input's length and differs from it only where a digit became
 * '*', and no run of MASK_RUN or more identifier digits survives, a run
 * and an application number being what base/mask.h defines (counted here
 * again, not with the masker's own reader; only mask_app_no() is shared,
 * since it is the definition of what stays).
 * Seeds: the intents and Kannel fixtures, and the forms of mask_test.c.
 */
#include <string.h>

#include "base/mask.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int
digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
sep(char c)
{
	return c != '\0' && strchr(" \t.-()/+", c) != NULL;
}

/* The longest run of digits in s (n bytes), application numbers out. */
static size_t
longest_run(const char *s, size_t n)
{
	size_t	i = 0, best = 0;

	while (i < n) {
		size_t	nd = 0, app;

		if (!digit(s[i])) {
			i++;
			continue;
		}
		if ((app = mask_app_no(s, n, i)) > 0) {
			i += app;
			continue;
		}
		for (;;) {
			size_t k = 0;

			if (i < n && digit(s[i])) {
				nd++;
				i++;
				continue;
			}
			while (k < MASK_SEPS && i + k < n && sep(s[i + k]))
				k++;
			if (k == 0 || i + k >= n || !digit(s[i + k]))
				break;
			i += k;
		}
		if (nd > best)
			best = nd;
	}
	return best;
}

static void
check(const char *in, size_t n, int all)
{
	int	 changed;
	char	*m = all ? mask_text_all(in, &changed) : mask_text(in, &changed);

	if (m == NULL)
		return;
	FUZZ_ASSERT(strlen(m) == n);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(m[i] == in[i] || (digit(in[i]) && m[i] == '*'));
	FUZZ_ASSERT(changed == (memcmp(m, in, n) != 0));
	FUZZ_ASSERT(longest_run(m, n) < MASK_RUN);
	if (longest_run(in, n) >= MASK_RUN)
		FUZZ_ASSERT(changed);
	free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*in;

	if (size > 8192 || (in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	check(in, strlen(in), 0);
	check(in, strlen(in), 1);
	free(in);
	return 0;
}
