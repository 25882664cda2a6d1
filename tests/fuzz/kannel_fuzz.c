/*
 * kannel_fuzz.c - Kannel's parameters as the webhook reads them: the
 * sender's number (phone_e164), the charset of a Content-Type
 * (kannel_content_charset) and the text in its charset
 * (kannel_decode_text).  Input:
 *   byte 0     charset: one of the names below, or the Content-Type's
 *   byte 1     coding: absent, "0", "1", "2"
 *   then       from \n content-type \n raw text (any bytes)
 * Seeds: the senders and texts of tests/fixtures/e2e/kannel_status.tsv.
 */
#include <string.h>

#include <unistr.h>

#include "base/log.h"
#include "base/phone.h"
#include "gateway/kannel.h"
#include "tests/fuzz/fuzz.h"

static const char *const charsets[] = {
	NULL, "", "UTF-8", "utf8", "UTF-16BE", "UCS-2", "ISO-8859-1",
	"WINDOWS-1251", "8-BIT", "binary", "UTF-7", "GSM", NULL
};
#define NCHARSETS (sizeof(charsets) / sizeof(charsets[0]))
static const char *const codings[] = { NULL, "0", "1", "2" };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	return 0;
}

/* The next line of *p..end as a NUL-terminated copy in buf. */
static const char *
line(const uint8_t **p, const uint8_t *end, char *buf, size_t cap)
{
	const uint8_t	*nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t		 n = (size_t)((nl != NULL ? nl : end) - *p);

	if (n >= cap)
		n = cap - 1;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p = nl != NULL ? nl + 1 : end;
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*p = data + 2, *end = data + size;
	char		 from[256], ctype[256], csbuf[32], phone[20], *text;
	const char	*charset, *coding;
	enum mj_err	 rc;

	if (size < 2)
		return 0;
	charset = charsets[data[0] % NCHARSETS];
	coding = codings[data[1] % 4];
	line(&p, end, from, sizeof(from));
	line(&p, end, ctype, sizeof(ctype));
	if (data[0] % NCHARSETS == NCHARSETS - 1)
		charset = kannel_content_charset(ctype, csbuf, sizeof(csbuf));
	if (charset != NULL && charset == csbuf)
		FUZZ_ASSERT(strlen(csbuf) < sizeof(csbuf) && csbuf[0] != '\0');
	if (phone_e164(from, phone, sizeof(phone)) == 0) {
		size_t n = strlen(phone);

		FUZZ_ASSERT(phone[0] == '+' && n >= 8 && n <= 16);
		FUZZ_ASSERT(strspn(phone + 1, "0123456789") == n - 1);
	}
	rc = kannel_decode_text((const char *)p, (size_t)(end - p), charset,
	    coding, &text);
	if (rc == MJ_OK) {
		size_t n = strlen(text);

		FUZZ_ASSERT(n <= 4096);
		FUZZ_ASSERT(u8_check((const uint8_t *)text, n) == NULL);
		free(text);
	} else
		FUZZ_ASSERT(text == NULL &&
		    (rc == MJ_EINPUT || rc == MJ_ETOOBIG));
	return 0;
}
