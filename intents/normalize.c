/*
 * normalize.c - NFC, case folding, apostrophes, dashes, spaces, digits,
 * mixed-script look-alikes.  See normalize.h.
 */
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "intents/normalize.h"
#include "intents/utf8.h"

static int
is_apostrophe(uint32_t c)
{
	switch (c) {
	case 0x27: case 0x60: case 0xB4: case 0x2B9: case 0x2BB: case 0x2BC:
	case 0x2BD: case 0x2018: case 0x2019: case 0x2032: case 0x02C8:
		return 1;
	}
	return 0;
}

static int
is_dash(uint32_t c)
{
	return (c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFE58 ||
	    c == 0xFE63 || c == 0xFF0D || c == 0x2043;
}

/* Characters that carry nothing: zero-width, bidi controls, selectors. */
static int
is_invisible(uint32_t c)
{
	return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
	    (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF || c == 0xAD ||
	    c == 0x180E || (c >= 0xFE00 && c <= 0xFE0F) || c == 0x034F;
}

static int
is_space(uint32_t c)
{
	return c < 0x20 || c == ' ' || c == 0x7F || (c >= 0x80 && c <= 0xA0) ||
	    c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
	    c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Lower-case look-alikes: Cyrillic letter -> Latin letter, or 0. */
static uint32_t
cyr_to_latn_glyph(uint32_t c)
{
	switch (c) {
	case 0x430: return 'a';	case 0x435: return 'e';	case 0x43E: return 'o';
	case 0x440: return 'p';	case 0x441: return 'c';	case 0x443: return 'y';
	case 0x445: return 'x';	case 0x43A: return 'k';	case 0x43C: return 'm';
	case 0x442: return 't';	case 0x456: return 'i';	case 0x458: return 'j';
	case 0x4BB: return 'h';	case 0x43D: return 'h';	case 0x432: return 'b';
	}
	return 0;
}

static uint32_t
latn_to_cyr_glyph(uint32_t c)
{
	switch (c) {
	case 'a': return 0x430;	case 'e': return 0x435;	case 'o': return 0x43E;
	case 'p': return 0x440;	case 'c': return 0x441;	case 'y': return 0x443;
	case 'x': return 0x445;	case 'k': return 0x43A;	case 'm': return 0x43C;
	case 't': return 0x442;	case 'b': return 0x432;
	}
	return 0;
}

static int
is_word_cp(uint32_t c)
{
	return utf8_is_cyr(c) || utf8_is_latin(c) || (c >= '0' && c <= '9') ||
	    c == UTF8_OKINA || c == UTF8_TUTUQ;
}

/*
 * In a word holding both Latin and Cyrillic letters, write the minority
 * script's look-alikes in the majority script.  s is normalised text; the
 * result goes to out (cap bytes).  Returns 0 when out is too small.
 */
static int
fix_mixed_words(const char *s, size_t n, char *out, size_t cap, size_t *outlen)
{
	size_t	i = 0, o = 0;

	while (i < n) {
		size_t		start = i, j = i;
		unsigned	nc = 0, nl = 0;
		uint32_t	c;

		while (j < n) {
			size_t	k = j;

			c = utf8_next(s, n, &k);
			if (!is_word_cp(c))
				break;
			if (utf8_is_cyr(c))
				nc++;
			else if (utf8_is_latin(c))
				nl++;
			j = k;
		}
		if (j == start) {	/* not a word character: copy it */
			c = utf8_next(s, n, &i);
			if (!utf8_put(out, cap, &o, c))
				return 0;
			continue;
		}
		while (i < j) {
			uint32_t	m;

			c = utf8_next(s, n, &i);
			m = 0;
			if (nc > 0 && nl > 0 && nc != nl)
				m = nc > nl ? latn_to_cyr_glyph(c) :
				    cyr_to_latn_glyph(c);
			if (!utf8_put(out, cap, &o, m ? m : c))
				return 0;
		}
	}
	*outlen = o;
	return 1;
}

static int
ascii_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

enum mj_err
normalize_text(const char *in, size_t len, char *out, size_t cap,
    size_t *outlen, struct norm_info *info)
{
	uint8_t		 fbuf[2048];
	uint8_t		*f = NULL;
	size_t		 fn = 0, i, o = 0;
	enum mj_err	 rc = MJ_OK;
	uint32_t	 prev = ' ';
	int		 pending_space = 0;
	struct norm_info ni = { 0, 0 };

	if (cap == 0)
		return MJ_ETOOBIG;
	if (memchr(in, '\0', len) != NULL ||
	    u8_check((const uint8_t *)in, len) != NULL)
		return MJ_EINPUT;

	if (ascii_only(in, len)) {
		/* NFC and folding are plain lower-casing here. */
		f = len <= sizeof fbuf ? fbuf : malloc(len ? len : 1);
		if (f == NULL)
			return MJ_ENOMEM;
		for (i = 0; i < len; i++) {
			unsigned char	ch = (unsigned char)in[i];

			f[i] = (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch;
		}
		fn = len;
	} else {
		fn = sizeof fbuf;
		f = u8_casefold((const uint8_t *)in, len, NULL, UNINORM_NFC,
		    fbuf, &fn);
		if (f == NULL)
			return MJ_ENOMEM;
	}

	for (i = 0; i < fn;) {
		uint32_t	c = utf8_next((const char *)f, fn, &i);
		int		v;

		if (is_invisible(c))
			continue;
		if (is_space(c)) {
			pending_space = o > 0;
			continue;
		}
		if (is_apostrophe(c))
			c = (prev == 'o' || prev == 'g') ? UTF8_OKINA : UTF8_TUTUQ;
		else if (is_dash(c))
			c = '-';
		else if (c >= 0x80 && (v = uc_digit_value(c)) >= 0)
			c = '0' + (uint32_t)v;
		if (pending_space) {
			if (o + 1 > cap - 1) {
				rc = MJ_ETOOBIG;
				goto out;
			}
			out[o++] = ' ';
			pending_space = 0;
		}
		if (o + utf8_len(c) > cap - 1) {
			rc = MJ_ETOOBIG;
			goto out;
		}
		utf8_put(out, cap, &o, c);
		if (utf8_is_cyr(c))
			ni.cyr++;
		else if (utf8_is_latin(c))
			ni.latn++;
		prev = c;
	}
	out[o] = '\0';

	if (ni.cyr > 0 && ni.latn > 0) {
		char	*tmp = malloc(o + 1);
		size_t	 tn = 0;

		if (tmp == NULL) {
			rc = MJ_ENOMEM;
			goto out;
		}
		/* A look-alike swap changes a letter's width between 1 and 2. */
		if (!fix_mixed_words(out, o, tmp, o + 1, &tn) ||
		    tn > cap - 1) {
			/* Fall back to 2x room before giving up. */
			char	*big = realloc(tmp, 2 * o + 1);

			if (big == NULL) {
				free(tmp);
				rc = MJ_ENOMEM;
				goto out;
			}
			tmp = big;
			if (!fix_mixed_words(out, o, tmp, 2 * o + 1, &tn) ||
			    tn > cap - 1) {
				free(tmp);
				rc = MJ_ETOOBIG;
				goto out;
			}
		}
		memcpy(out, tmp, tn);
		out[tn] = '\0';
		o = tn;
		free(tmp);
		ni.cyr = ni.latn = 0;
		for (i = 0; i < o;) {
			uint32_t	c = utf8_next(out, o, &i);

			if (utf8_is_cyr(c))
				ni.cyr++;
			else if (utf8_is_latin(c))
				ni.latn++;
		}
	}
	*outlen = o;
	if (info != NULL)
		*info = ni;
out:
	if (f != fbuf)
		free(f);
	return rc;
}
