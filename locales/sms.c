/*
 * sms.c - SMS alphabet, length and shaping (see sms.h).
 * The GSM 03.38 tables are from unicode.org/Public/MAPPINGS/ETSI/GSM0338.TXT
 * (3GPP TS 23.038); no national shift table covers Cyrillic, so any
 * Cyrillic letter means UCS-2.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <uninorm.h>
#include <unistr.h>

#include "locales/sms.h"

#define GSM_SINGLE	160
#define GSM_PART	153
#define UCS2_SINGLE	70
#define UCS2_PART	67

/* Septets for c in GSM-7: 1 basic table, 2 extension table, 0 not there. */
static int
gsm_width(ucs4_t c)
{
	if (c >= 0x20 && c < 0x7f) {
		switch (c) {
		case '`':	/* 0x60 in GSM is ¿, not the grave accent */
			return 0;
		case '[': case '\\': case ']': case '^':
		case '{': case '|': case '}': case '~':
			return 2;
		default:
			return 1;
		}
	}
	switch (c) {
	case '\n': case '\r':
	case 0x00A1: case 0x00A3: case 0x00A4: case 0x00A5: case 0x00A7:
	case 0x00BF: case 0x00C4: case 0x00C5: case 0x00C6: case 0x00C7:
	case 0x00C9: case 0x00D1: case 0x00D6: case 0x00D8: case 0x00DC:
	case 0x00DF: case 0x00E0: case 0x00E4: case 0x00E5: case 0x00E6:
	case 0x00E8: case 0x00E9: case 0x00EC: case 0x00F1: case 0x00F2:
	case 0x00F6: case 0x00F8: case 0x00F9: case 0x00FC:
	case 0x0393: case 0x0394: case 0x0398: case 0x039B: case 0x039E:
	case 0x03A0: case 0x03A3: case 0x03A6: case 0x03A8: case 0x03A9:
		return 1;
	case '\f': case 0x20AC:
		return 2;
	default:
		return 0;
	}
}

/* Next code point of s[0..n); invalid or truncated bytes give U+FFFD, 1 byte. */
static inline size_t
next_uc(const char *s, size_t n, ucs4_t *c)
{
	const uint8_t	*u = (const uint8_t *)s;
	int		 k;

	/* ASCII and two-byte forms (Latin, Cyrillic) without a call. */
	if (u[0] < 0x80) {
		*c = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF && n >= 2 && (u[1] & 0xC0) == 0x80) {
		*c = (ucs4_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
		return 2;
	}
	k = u8_mbtoucr(c, u, n);

	if (k <= 0) {
		*c = 0xFFFD;
		return 1;
	}
	return (size_t)k;
}

/* Units and parts as a sender would pack them, widths never split. */
struct cnt {
	size_t	units, parts, fill;
};

static void
cnt_add(struct cnt *k, size_t w, size_t part)
{
	k->units += w;
	if (k->parts == 0 || k->fill + w > part) {
		k->parts++;
		k->fill = w;
	} else
		k->fill += w;
}

static int
cnt_segments(const struct cnt *k, enum sms_coding coding)
{
	size_t	single = coding == SMS_GSM7 ? GSM_SINGLE : UCS2_SINGLE;

	if (k->units == 0)
		return 0;
	if (k->units <= single)
		return 1;
	return k->parts > (size_t)INT_MAX ? INT_MAX : (int)k->parts;
}

/* Feed s[0..n) to k as the given coding would carry it. */
static void
cnt_feed(struct cnt *k, enum sms_coding coding, const char *s, size_t n)
{
	ucs4_t	c;
	size_t	i = 0;
	int	w;

	while (i < n) {
		i += next_uc(s + i, n - i, &c);
		if (coding == SMS_GSM7) {
			w = gsm_width(c);
			cnt_add(k, w ? (size_t)w : 1, GSM_PART);
		} else
			cnt_add(k, c > 0xFFFF ? 2 : 1, UCS2_PART);
	}
}

int
sms_is_gsm7(const char *utf8, size_t len)
{
	ucs4_t	c;
	size_t	i = 0;

	if (utf8 == NULL)
		return len == 0;
	while (i < len) {
		i += next_uc(utf8 + i, len - i, &c);
		if (gsm_width(c) == 0)
			return 0;
	}
	return 1;
}

void
sms_measure(const char *utf8, size_t len, struct sms_info *out)
{
	struct cnt	k = { 0, 0, 0 };

	if (utf8 == NULL)
		len = 0;
	out->coding = sms_is_gsm7(utf8, len) ? SMS_GSM7 : SMS_UCS2;
	cnt_feed(&k, out->coding, utf8, len);
	out->units = k.units;
	out->segments = cnt_segments(&k, out->coding);
}

/*
 * What sms_prepare puts for c: NULL keeps c, "" drops it.  Twilio's "smart
 * encoding" list does much the same (twilio.com/docs/messaging/services/
 * smart-encoding-char-list); LANGUAGE.md section 3 has the apostrophes.
 */
static const char *
fold(ucs4_t c)
{
	switch (c) {
	case 0x02BB: case 0x02BC: case 0x2018: case 0x2019: case 0x201A:
	case 0x201B: case 0x2032: case 0x0060: case 0x00B4:
		return "'";
	case 0x00AB: case 0x00BB: case 0x201C: case 0x201D: case 0x201E:
	case 0x201F: case 0x2033:
		return "\"";
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
	case 0x2015: case 0x2212:
		return "-";
	case 0x2026:
		return "...";
	case '\t': case 0x00A0: case 0x2002: case 0x2003: case 0x2004:
	case 0x2005: case 0x2006: case 0x2007: case 0x2008: case 0x2009:
	case 0x200A: case 0x202F: case 0x205F: case 0x3000:
		return " ";
	case 0x00AD: case 0x200B: case 0x200C: case 0x200D: case 0x2060:
	case 0xFEFF:
		return "";
	default:
		return NULL;
	}
}

enum mj_err
sms_prepare(const char *utf8, size_t len, char **out)
{
	uint8_t		*nfc;
	size_t		 nlen = 0, i = 0, k;
	char		*buf, *w;
	const char	*r;
	ucs4_t		 c;

	*out = NULL;
	if (utf8 == NULL)
		return MJ_EINPUT;
	if (memchr(utf8, '\0', len) != NULL ||
	    u8_check((const uint8_t *)utf8, len) != NULL)
		return MJ_EINPUT;
	if (len == 0)
		return (*out = strdup("")) ? MJ_OK : MJ_ENOMEM;
	for (i = 0; i < len; i++)
		if ((uint8_t)utf8[i] >= 0x80 || fold((uint8_t)utf8[i]) != NULL)
			break;
	if (i == len)	/* ASCII that fold() keeps is already NFC */
		return (*out = strndup(utf8, len)) ? MJ_OK : MJ_ENOMEM;
	i = 0;
	if ((nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)utf8, len, NULL,
	    &nlen)) == NULL)
		return MJ_ENOMEM;
	/* Every fold is no longer than what it replaces. */
	if ((buf = malloc(nlen + 1)) == NULL) {
		free(nfc);
		return MJ_ENOMEM;
	}
	w = buf;
	while (i < nlen) {
		k = next_uc((const char *)nfc + i, nlen - i, &c);
		if ((r = fold(c)) != NULL) {
			size_t	rl = strlen(r);

			memcpy(w, r, rl);
			w += rl;
		} else {
			memcpy(w, nfc + i, k);
			w += k;
		}
		i += k;
	}
	*w = '\0';
	free(nfc);
	*out = buf;
	return MJ_OK;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Does the word ending before p (s <= p) end a sentence? */
static int
ends_sentence(const char *s, const char *p)
{
	while (p > s && (p[-1] == '"' || p[-1] == '\'' || p[-1] == ')' ||
	    p[-1] == ']'))
		p--;
	return p > s && (p[-1] == '.' || p[-1] == '!' || p[-1] == '?');
}

static int
segs_with_hint(const struct cnt *head, enum sms_coding coding,
    const char *hint, size_t hlen)
{
	struct cnt	k = *head;

	if (hlen > 0) {
		cnt_feed(&k, coding, " ", 1);
		cnt_feed(&k, coding, hint, hlen);
	}
	return cnt_segments(&k, coding);
}

enum mj_err
sms_fit(const char *text, int budget, const char *more_hint, char **head,
    char **rest)
{
	const char	*s, *e, *p, *sent = NULL, *word = NULL, *cut, *r;
	const char	*hint = more_hint ? more_hint : "";
	size_t		 hlen = strlen(hint);
	struct sms_info	 whole;
	enum sms_coding	 coding;
	struct cnt	 k = { 0, 0, 0 };
	ucs4_t		 c;

	*head = *rest = NULL;
	if (text == NULL || budget < 1 ||
	    u8_check((const uint8_t *)text, strlen(text)) != NULL ||
	    u8_check((const uint8_t *)hint, hlen) != NULL)
		return MJ_EINPUT;
	for (s = text; is_space(*s); s++)
		;
	for (e = s + strlen(s); e > s && is_space(e[-1]); e--)
		;
	sms_measure(s, (size_t)(e - s), &whole);
	if (whole.segments <= budget)
		return (*head = strndup(s, (size_t)(e - s))) ? MJ_OK :
		    MJ_ENOMEM;

	coding = whole.coding;
	if (!sms_is_gsm7(hint, hlen))
		coding = SMS_UCS2;
	/* One pass: k holds s[0..p); stop once the head alone is too long. */
	for (p = s; p < e && cnt_segments(&k, coding) <= budget; ) {
		size_t	step;

		if (is_space(*p) && p > s && !is_space(p[-1]) &&
		    segs_with_hint(&k, coding, hint, hlen) <= budget) {
			word = p;
			for (r = p; r < e && is_space(*r) && *r != '\n'; r++)
				;
			if (ends_sentence(s, p) || (r < e && *r == '\n'))
				sent = p;
		}
		step = next_uc(p, (size_t)(e - p), &c);
		cnt_feed(&k, coding, p, step);
		p += step;
	}
	cut = sent ? sent : word;
	if (cut == NULL)
		return MJ_ETOOBIG;
	for (r = cut; r < e && is_space(*r); r++)
		;
	*head = strndup(s, (size_t)(cut - s));
	*rest = strndup(r, (size_t)(e - r));
	if (*head == NULL || *rest == NULL) {
		free(*head);
		free(*rest);
		*head = *rest = NULL;
		return MJ_ENOMEM;
	}
	return MJ_OK;
}
