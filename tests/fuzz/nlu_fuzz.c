/*
 * nlu_fuzz.c - the matcher, entity extraction, the model's features and
 * its prediction: nlu_understand on any bytes, with the real pattern files
 * and the built model (intents/patterns, intents/model.bin under
 * $MUROJAAT_ROOT).  The entities must keep the forms nlu.h promises.
 * Seeds: the tests/fixtures/intents tables, data/corpus/project.tsv.
 */
#include <ctype.h>
#include <string.h>

#include "base/log.h"
#include "intents/nlu.h"
#include "tests/fuzz/fuzz.h"

static struct nlu	*nlu;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	dir[1024], where[512];

	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	snprintf(dir, sizeof(dir), "%s/intents/patterns", fuzz_root());
	if (nlu_load(&nlu, dir, where, sizeof(where)) != MJ_OK) {
		fprintf(stderr, "nlu_fuzz: %s (set MUROJAAT_ROOT)\n", where);
		exit(1);
	}
	snprintf(dir, sizeof(dir), "%s/intents/model.bin", fuzz_root());
	if (nlu_load_model(nlu, dir, where, sizeof(where)) != MJ_OK) {
		fprintf(stderr, "nlu_fuzz: %s (make intents/model.bin)\n",
		    where);
		exit(1);
	}
	return 0;
}

static int
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlu_result	r;
	enum mj_err		rc;
	size_t			n;

	rc = nlu_understand(nlu, (const char *)data, size, &r);
	FUZZ_ASSERT(rc == MJ_OK || rc == MJ_EINPUT || rc == MJ_ENOMEM);
	FUZZ_ASSERT(r.prob >= 0.0f && r.prob <= 1.0f);
	FUZZ_ASSERT(r.source == NLU_SRC_NONE || r.intent != INTENT_UNKNOWN ||
	    r.source == NLU_SRC_MODEL);
	FUZZ_ASSERT((int)r.intent >= 0 && r.intent < INTENT__COUNT);
	FUZZ_ASSERT((int)r.lang >= 0 && r.lang < LANG__COUNT);
	if (rc != MJ_OK)
		FUZZ_ASSERT(r.intent == INTENT_UNKNOWN && r.app_no[0] == '\0');
	/* AR-2025-000001 */
	n = strnlen(r.app_no, sizeof(r.app_no));
	FUZZ_ASSERT(n < sizeof(r.app_no));
	if (n > 0)
		FUZZ_ASSERT(n == 14 && memcmp(r.app_no, "AR-", 3) == 0 &&
		    digits(r.app_no + 3, 4) && r.app_no[7] == '-' &&
		    digits(r.app_no + 8, 6));
	n = strnlen(r.pinfl, sizeof(r.pinfl));
	FUZZ_ASSERT(n == 0 || (n == 14 && digits(r.pinfl, 14)));
	n = strnlen(r.phone, sizeof(r.phone));
	FUZZ_ASSERT(n < sizeof(r.phone));
	FUZZ_ASSERT(n == 0 || (r.phone[0] == '+' && n >= 8 &&
	    digits(r.phone + 1, n - 1)));
	FUZZ_ASSERT(strnlen(r.program, sizeof(r.program)) < sizeof(r.program));
	FUZZ_ASSERT(r.lang_choice >= -1 && r.lang_choice <= LANG__COUNT);
	if (r.has_number)
		FUZZ_ASSERT(r.number == r.number);	/* not NaN */
	return 0;
}
