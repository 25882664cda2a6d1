/*
 * ussd_fuzz.c - a USSD request as the webhook reads it and the menus take
 * it: the form body (ussd_at_parse), then the session's text through the
 * state machine (ussd_advance from the first screen or from a state read
 * back with ussd_load), and the screen (ussd_render) on a table of
 * programmes and districts with the real catalogues under
 * $MUROJAAT_ROOT/locales.  Invariants: a request that parses has a phone
 * in E.164 and a text within USSD_TEXT_MAX; every screen fits one USSD
 * page; a state saves and loads back the same.  Input:
 *   byte 0     how the session starts: 0-3 a known language, else unknown
 *   byte 1     0: the rest is a form body; 1: a saved state, '\n', the
 *              inputs; else the rest is the inputs alone
 *   then       the body, or the state and inputs (any bytes)
 * Seeds: tests/fuzz/seed.py (bodies of every menu's walk, saved states).
 */
#include <string.h>

#include "base/log.h"
#include "bot/ussd.h"
#include "gateway/ussd_at.h"
#include "tests/fuzz/fuzz.h"

static struct catalog	*cat;

static enum mj_err
f_count(void *arg, enum ussd_list l, int *n)
{
	(void)arg;
	*n = l == USSD_LIST_PROGS ? 7 : 14;
	return MJ_OK;
}

static enum mj_err
f_name(void *arg, enum ussd_list l, int i, enum lang lang, char *buf,
    size_t len)
{
	(void)arg;
	/* the longest names of the data, in the language's script */
	snprintf(buf, len, "%s %d", l == USSD_LIST_PROGS ?
	    (lang == LANG_RU ? "Пособие по инвалидности" :
	    "Nogironlik nafaqasi") : (lang == LANG_RU ?
	    "Тупраккалинский район" : "Tuproqqalʼa tumani"), i);
	return MJ_OK;
}

static enum mj_err
f_questions(void *arg, int i, enum rules_fact *q, size_t max, size_t *n)
{
	(void)arg;
	*n = 0;
	for (int f = 0; f < FACT__ASKED && *n < max && *n < 3; f++)
		if ((f + i + 7) % 3 != 0)
			q[(*n)++] = (enum rules_fact)f;
	return MJ_OK;
}

static enum mj_err
f_text(void *arg, enum ussd_text kind, int i, enum lang lang,
    const struct rules_answers *a, char *buf, size_t len)
{
	(void)arg;
	(void)a;
	snprintf(buf, len, "%d %d %s: pasport yoki ID-karta, my.gov.uz yoki "
	    "Inson markazi. Ариза 16-санагача: қарор 1-санагача, тўлов 4-27. "
	    "Averyveryveryverylongwordwithoutanyspaceatallthatnopagecanholdin"
	    "oneline", (int)kind, i, lang_tag(lang));
	return MJ_OK;
}

static enum mj_err
f_status(void *arg, const char *app_no, enum ussd_found *found,
    struct app_status *app)
{
	(void)arg;
	memset(app, 0, sizeof(*app));
	*found = (enum ussd_found)(app_no[13] % 3);
	snprintf(app->number, sizeof(app->number), "%s", app_no);
	snprintf(app->status, sizeof(app->status), "approved");
	snprintf(app->decided, sizeof(app->decided), "2025-09-28");
	return MJ_OK;
}

static const struct ussd_src	src = { NULL, f_count, f_name, f_questions,
				    f_text, f_status };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	dir[1024], where[512];

	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR + 1);
	snprintf(dir, sizeof(dir), "%s/locales", fuzz_root());
	if (catalog_load(&cat, dir, where, sizeof(where)) != MJ_OK) {
		fprintf(stderr, "ussd_fuzz: %s (set MUROJAAT_ROOT)\n", where);
		exit(1);
	}
	return 0;
}

/* The inputs on st, then its screen: it must fit, and save and load. */
static void
walk(struct ussd_state *st, const char *text, size_t len)
{
	static struct ussd_screen	 scr;
	struct ussd_ctx			 x = { cat, &src };
	struct ussd_step		 step;
	struct ussd_state		 back;
	char				 saved[512];

	FUZZ_ASSERT(ussd_advance(&x, st, text, len, &step) == MJ_OK);
	FUZZ_ASSERT(step.note >= USSD_NOTE_NONE && step.note < USSD__NOTE_COUNT);
	FUZZ_ASSERT(st->scr < USSD__SCR_COUNT && st->lang < LANG__COUNT);
	FUZZ_ASSERT(ussd_render(&x, st, step.note, &scr) == MJ_OK);
	FUZZ_ASSERT(strlen(scr.text) < sizeof(scr.text));
	/*
	 * Every page shown fits, but the one with the word no page can hold
	 * (the table's data texts carry one, on purpose); only those texts
	 * may say something did not fit.
	 */
	if (strstr(scr.text, "Averyvery") == NULL)
		FUZZ_ASSERT(ussd_fits(scr.text, strlen(scr.text), NULL, NULL));
	FUZZ_ASSERT(scr.fits || st->scr == USSD_VERDICT ||
	    st->scr == USSD_INFO || st->scr == USSD_DOCS ||
	    st->scr == USSD_OFFICE || st->scr == USSD_QUESTION);
	FUZZ_ASSERT(scr.end == (st->scr == USSD_OPERATOR_DONE));
	FUZZ_ASSERT(ussd_save(st, saved, sizeof(saved)) == 0);
	FUZZ_ASSERT(ussd_load(&back, saved) == 0);
	FUZZ_ASSERT(memcmp(&back, st, sizeof(back)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ussd_at_req	 q;
	struct ussd_state		 st;
	const char			*rest, *why, *nl;
	size_t				 n;

	if (size < 2)
		return 0;
	ussd_start(&st, data[0] < 4 ? data[0] : -1);
	rest = (const char *)data + 2;
	n = size - 2;
	if (data[1] == 0) {
		if ((why = ussd_at_parse(rest, n, &q)) != NULL)
			return 0;
		FUZZ_ASSERT(q.phone[0] == '+' && q.len <= USSD_TEXT_MAX &&
		    strlen(q.text) == q.len && q.session[0] != '\0');
		walk(&st, q.text, q.len);
		return 0;
	}
	if (data[1] == 1 && (nl = memchr(rest, '\n', n)) != NULL) {
		char	saved[600];
		size_t	k = (size_t)(nl - rest);

		if (k >= sizeof(saved) || memchr(rest, '\0', k) != NULL)
			return 0;
		memcpy(saved, rest, k);
		saved[k] = '\0';
		if (ussd_load(&st, saved) != 0)
			return 0;
		rest = nl + 1;
		n -= k + 1;
	}
	if (n > USSD_TEXT_MAX)
		return 0;
	walk(&st, rest, n);
	return 0;
}
