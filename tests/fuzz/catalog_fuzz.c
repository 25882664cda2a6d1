/*
 * catalog_fuzz.c - catalogue rendering and the SMS step after it: any
 * message, any language, any count, any bytes as every placeholder's value
 * (catalog_render, catalog_render_n, catalog_date), then sms_measure,
 * sms_prepare and sms_fit on the result, as a reply goes out.  The real
 * catalogues under $MUROJAAT_ROOT/locales.  Input:
 *   byte 0 language, byte 1 msgid index, bytes 2-5 count (plural),
 *   byte 6 SMS budget, bytes 7-10 a date, then the argument value.
 * Seeds: a few rendered cases and the texts of tests/fixtures/sms/prepare.tsv.
 */
#include <string.h>

#include <unistr.h>

#include "base/log.h"
#include "locales/catalog.h"
#include "locales/sms.h"
#include "tests/fuzz/fuzz.h"

static struct catalog	*cat;
static size_t		 nmsgs;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	dir[1024], where[512];

	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR + 1);	/* MJ_EINTERNAL is logged: quiet */
	snprintf(dir, sizeof(dir), "%s/locales", fuzz_root());
	if (catalog_load(&cat, dir, where, sizeof(where)) != MJ_OK) {
		fprintf(stderr, "catalog_fuzz: %s (set MUROJAAT_ROOT)\n", where);
		exit(1);
	}
	while (catalog_msgid_at(cat, nmsgs) != NULL)
		nmsgs++;
	return 0;
}

static void
sms_path(const char *text, int budget)
{
	struct sms_info	 si;
	char		*prep = NULL, *head = NULL, *rest = NULL;
	size_t		 n = strlen(text);

	sms_measure(text, n, &si);
	FUZZ_ASSERT(si.segments >= 0 && (n == 0) == (si.segments == 0));
	if (sms_prepare(text, n, &prep) != MJ_OK) {
		FUZZ_ASSERT(prep == NULL);
		return;
	}
	FUZZ_ASSERT(u8_check((const uint8_t *)prep, strlen(prep)) == NULL);
	if (sms_fit(prep, budget, "MORE", &head, &rest) == MJ_OK) {
		char	*whole;
		size_t	 hl = strlen(head);

		/* The head and the hint fit the budget together. */
		if ((whole = malloc(hl + 6)) != NULL) {
			memcpy(whole, head, hl);
			if (rest != NULL)
				memcpy(whole + hl, " MORE", 6);
			else
				whole[hl] = '\0';
			sms_measure(whole, strlen(whole), &si);
			FUZZ_ASSERT(si.segments <= budget);
			free(whole);
		}
		FUZZ_ASSERT(u8_check((const uint8_t *)head, hl) == NULL);
		FUZZ_ASSERT(rest == NULL ||
		    u8_check((const uint8_t *)rest, strlen(rest)) == NULL);
	} else
		FUZZ_ASSERT(head == NULL && rest == NULL);
	free(head);
	free(rest);
	free(prep);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "app_no", "programme", "payment",
	    "decided", "submitted", "year", "month", "day", "placeholders",
	    "n" };
	struct msg_arg	 args[sizeof(names) / sizeof(names[0])];
	const char	*msgid;
	char		*val, *out = NULL, date[128];
	enum lang	 lang;
	long		 n;
	int		 budget;
	enum mj_err	 rc;

	if (size < 11 || size > 4096 || nmsgs == 0)
		return 0;
	lang = (enum lang)(data[0] % LANG__COUNT);
	msgid = catalog_msgid_at(cat, data[1] % nmsgs);
	n = (long)(int32_t)((uint32_t)data[2] << 24 | (uint32_t)data[3] << 16 |
	    (uint32_t)data[4] << 8 | data[5]);
	budget = data[6] % 4;		/* 0 is refused */
	if ((val = malloc(size - 11 + 1)) == NULL)
		return 0;
	memcpy(val, data + 11, size - 11);
	val[size - 11] = '\0';		/* a NUL inside just ends it */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		args[i] = (struct msg_arg){ names[i], val };
	rc = catalog_is_plural(cat, msgid) ?
	    catalog_render_n(cat, lang, msgid, n, args, data[7] % 11, &out) :
	    catalog_render(cat, lang, msgid, args, data[7] % 11, &out);
	if (rc == MJ_OK) {
		FUZZ_ASSERT(out != NULL);
		if (budget > 0 && u8_check((const uint8_t *)out,
		    strlen(out)) == NULL)
			sms_path(out, budget);
		free(out);
	} else
		FUZZ_ASSERT(out == NULL && (rc == MJ_EINTERNAL ||
		    rc == MJ_ENOMEM));
	rc = catalog_date(cat, lang, (int)(data[8] << 8 | data[9]) - 100,
	    data[10] % 15, (data[7] ^ data[10]) % 33, date,
	    (size_t)(data[9] % 64) + 1);
	if (rc == MJ_OK)
		FUZZ_ASSERT(u8_check((const uint8_t *)date, strlen(date)) ==
		    NULL);
	/* The SMS step on the raw value too: any bytes, any budget. */
	sms_path(val, budget > 0 ? budget : 1);
	free(val);
	return 0;
}
