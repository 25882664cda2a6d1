/*
 * translit_fuzz.c - normalisation and transliteration on any bytes:
 * normalize_text, pat_fold (what the matcher and the pattern loader read),
 * translit_to_latn, translit_to_cyrl and translit_latn_buf.  Every result
 * must be valid UTF-8 within the sizes the headers promise.
 * Seeds: tests/fixtures/translit.tsv, tests/data/intents.tsv.
 */
#include <string.h>

#include <uninorm.h>
#include <unistr.h>

#include "base/log.h"
#include "intents/normalize.h"
#include "intents/patterns.h"
#include "intents/translit.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	return 0;
}

static void
valid(const char *s, size_t n)
{
	FUZZ_ASSERT(s[n] == '\0' && strlen(s) == n);
	FUZZ_ASSERT(u8_check((const uint8_t *)s, n) == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*in = (const char *)data;
	size_t			 cap = 6 * size + 1, n = 0;
	char			*buf, *lat = NULL, *cyr = NULL, *lb;
	struct norm_info	 info;
	unsigned		 ncyr, nlatn;
	enum mj_err		 rc, rl;

	if (size > 8192)
		return 0;
	if ((buf = malloc(cap)) == NULL)
		return 0;
	rc = normalize_text(in, size, buf, cap, &n, &info);
	if (rc == MJ_OK) {
		FUZZ_ASSERT(n < cap);
		valid(buf, n);
	} else	/* 6 * len + 1 always suffices */
		FUZZ_ASSERT(rc == MJ_EINPUT || rc == MJ_ENOMEM);
	if (pat_fold(in, size, buf, cap, &n, &ncyr, &nlatn) == MJ_OK)
		valid(buf, n);
	rl = translit_to_latn(in, size, &lat);
	if (rl == MJ_OK) {
		valid(lat, strlen(lat));
		/* The buffer step's own contract: valid UTF-8 in NFC. */
		uint8_t	*nfc = u8_normalize(UNINORM_NFC, data, size, NULL, &n);

		if (nfc != NULL && memchr(nfc, '\0', n) == NULL &&
		    (lb = malloc(2 * n + 1)) != NULL) {
			size_t w = translit_latn_buf((const char *)nfc, n, lb,
			    2 * n + 1, size > 0 && data[0] & 1 ?
			    TRANSLIT_NOAPOS : 0);

			FUZZ_ASSERT(w != (size_t)-1 && w <= 2 * n);
			valid(lb, w);
			free(lb);
		}
		free(nfc);
	} else
		FUZZ_ASSERT(lat == NULL);
	if (translit_to_cyrl(in, size, &cyr) == MJ_OK)
		valid(cyr, strlen(cyr));
	else
		FUZZ_ASSERT(cyr == NULL);
	/* Both directions refuse the same inputs: invalid UTF-8 or a NUL. */
	FUZZ_ASSERT((rl == MJ_OK) == (cyr != NULL) || rl == MJ_ENOMEM);
	free(lat);
	free(cyr);
	free(buf);
	return 0;
}
