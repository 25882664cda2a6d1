/*
 * nlu_test.c - intents/nlu.c: the table-driven cases of
 * tests/fixtures/intents/<lang>.tsv (text, intent, entities; any.tsv holds
 * messages whose language the text cannot decide), then the API's edges.
 * Run from the project root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "intents_tsv.h"

#define FIXDIR	"tests/fixtures/intents/"

static struct nlu *nl;

static void
run_file(const char *name)
{
	char	 path[256], line[8192];
	FILE	*f;
	int	 lineno = 0, want_lang;

	snprintf(path, sizeof path, FIXDIR "%s.tsv", name);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "%s: cannot open\n", path);
		check_failed++;
		return;
	}
	want_lang = strcmp(name, "any") == 0 ? -1 : lang_from_tag(name);
	while (fgets(line, sizeof line, f) != NULL) {
		char			*fl[3], ent[256];
		struct nlu_result	 r;
		enum mj_err		 rc;
		int			 ok = 1;

		lineno++;
		if (tsv_split(line, fl, 3) == 0)
			continue;
		rc = nlu_understand(nl, fl[0], strlen(fl[0]), &r);
		tsv_entities(&r, ent, sizeof ent);
		if (rc != MJ_OK) {
			fprintf(stderr, "%s:%d: \"%s\": %s\n", path, lineno,
			    fl[0], mj_strerror(rc));
			ok = 0;
		}
		if (strcmp(intent_name(r.intent), fl[1]) != 0) {
			fprintf(stderr, "%s:%d: \"%s\": intent %s, want %s\n",
			    path, lineno, fl[0], intent_name(r.intent), fl[1]);
			ok = 0;
		}
		if (strcmp(ent, fl[2]) != 0) {
			fprintf(stderr, "%s:%d: \"%s\": entities \"%s\", want "
			    "\"%s\"\n", path, lineno, fl[0], ent, fl[2]);
			ok = 0;
		}
		if (want_lang < 0 ? r.lang_sure != 0 :
		    ((int)r.lang != want_lang || !r.lang_sure)) {
			fprintf(stderr, "%s:%d: \"%s\": lang %s sure=%d, want "
			    "%s\n", path, lineno, fl[0], lang_tag(r.lang),
			    r.lang_sure, want_lang < 0 ? "not sure" :
			    lang_tag((enum lang)want_lang));
			ok = 0;
		}
		if (ok)
			check_passed++;
		else
			check_failed++;
	}
	fclose(f);
}

static void
test_api(void)
{
	struct nlu_result	r;
	char			big[NLU_MAX_TEXT + 2];

	CHECK_INT(nlu_understand(nl, "\xff\xfe", 2, &r), MJ_EINPUT);
	CHECK_INT(r.intent, INTENT_UNKNOWN);
	CHECK_INT(nlu_understand(nl, "sal\0om", 6, &r), MJ_EINPUT);
	CHECK_INT(nlu_understand(nl, "\xd0", 1, &r), MJ_EINPUT);
	CHECK_INT(nlu_understand(nl, "\xed\xa0\x80", 3, &r), MJ_EINPUT);
	memset(big, 'a', sizeof big);
	CHECK_INT(nlu_understand(nl, big, NLU_MAX_TEXT + 1, &r), MJ_OK);
	CHECK_INT(nlu_understand(nl, big, NLU_MAX_TEXT, &r), MJ_OK);
	CHECK_INT(nlu_understand(nl, "", 0, &r), MJ_OK);
	CHECK_INT(r.intent, INTENT_UNKNOWN);
	CHECK_INT(r.lang_sure, 0);
	CHECK_INT(r.lang_choice, -1);
	/* Long, expanding input: every byte an apostrophe after o. */
	for (size_t i = 0; i + 1 < NLU_MAX_TEXT; i += 2) {
		big[i] = 'o';
		big[i + 1] = '\'';
	}
	CHECK_INT(nlu_understand(nl, big, NLU_MAX_TEXT, &r), MJ_OK);

	for (int i = 0; i < INTENT__COUNT; i++)
		CHECK_INT(intent_from_name(intent_name((enum intent)i)), i);
	CHECK_STR(intent_name(INTENT_STATUS_CHECK), "status_check");
	CHECK_STR(intent_name(INTENT_OPT_IN), "opt_in");
	CHECK_STR(intent_name((enum intent)99), "unknown");
	CHECK_INT(intent_from_name("nonsense"), -1);
	CHECK_INT(intent_from_name(NULL), -1);
}

int
main(void)
{
	static const char *const files[] = {
		"uz-Latn", "uz-Cyrl", "ru", "en", "any", NULL
	};
	char		where[512];
	enum mj_err	rc;

	rc = nlu_load(&nl, "intents/patterns", where, sizeof where);
	if (rc != MJ_OK) {
		fprintf(stderr, "nlu_load: %s\n", where);
		return 1;
	}
	for (int i = 0; files[i] != NULL; i++)
		run_file(files[i]);
	test_api();
	nlu_free(nl);
	return check_done("nlu");
}
