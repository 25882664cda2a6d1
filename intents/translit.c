/*
 * translit.c - Uzbek Cyrillic <-> Latin.  See translit.h for the rules and
 * LANGUAGE.md section 2 for their sources.
 */
#include <stdlib.h>
#include <string.h>

#include <uninorm.h>
#include <unistr.h>

#include "intents/translit.h"
#include "intents/utf8.h"

/* ---- shared ----------------------------------------------------------- */

static uint32_t
cyr_lower(uint32_t c)
{
	if (c >= 0x410 && c <= 0x42F)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)
		return c + 0x50;
	if (c >= 0x460 && c <= 0x4BF && (c & 1) == 0)
		return c + 1;
	if (c >= 0x4C1 && c <= 0x4CE && (c & 1) == 1)
		return c + 1;
	if (c >= 0x4D0 && c <= 0x4FF && (c & 1) == 0)
		return c + 1;
	return c;
}

static uint32_t
cyr_upper(uint32_t c)
{
	if (c >= 0x430 && c <= 0x44F)
		return c - 0x20;
	if (c >= 0x450 && c <= 0x45F)
		return c - 0x50;
	if (c >= 0x461 && c <= 0x4BF && (c & 1) == 1)
		return c - 1;
	return c;
}

static uint32_t
latn_lower(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int
is_apos(uint32_t c)
{
	switch (c) {
	case 0x27: case 0x60: case 0xB4: case 0x2BB: case 0x2BC:
	case 0x2018: case 0x2019:
		return 1;
	}
	return 0;
}

static int
is_letter(uint32_t c)
{
	return utf8_is_cyr(c) || utf8_is_latin(c);
}

/* Decode s into a code point array: stack when small, else malloc. */
struct cps {
	uint32_t	 small[512];
	uint32_t	*v;
	size_t		 n;
};

static int
cps_decode(struct cps *c, const char *s, size_t len)
{
	size_t	i = 0;

	c->v = len <= 512 ? c->small : malloc(len * sizeof *c->v);
	if (c->v == NULL)
		return 0;
	c->n = 0;
	while (i < len)
		c->v[c->n++] = utf8_next(s, len, &i);
	return 1;
}

static void
cps_free(struct cps *c)
{
	if (c->v != c->small)
		free(c->v);
}

/* ---- Cyrillic -> Latin -------------------------------------------------- */

static int
cyr_vowel(uint32_t lc)
{
	switch (lc) {
	case 0x430: case 0x435: case 0x451: case 0x438: case 0x43E: case 0x443:
	case 0x45E: case 0x44D: case 0x44E: case 0x44F: case 0x44B: case 0x4AF:
	case 0x4B1:
		return 1;
	}
	return 0;
}

struct sink {
	char	*out;
	size_t	 cap, o;
	int	 full;
};

static void
put_cp(struct sink *k, uint32_t c)
{
	if (!k->full && (k->o + utf8_len(c) > k->cap - 1 ||
	    !utf8_put(k->out, k->cap, &k->o, c)))
		k->full = 1;
}

/* Emit Latin s: first letter capital when cap, every letter when caps. */
static void
put_latn(struct sink *k, const char *s, int cap, int caps)
{
	for (int first = 1; *s != '\0'; s++) {
		unsigned char	ch = (unsigned char)*s;

		if (ch >= 'a' && ch <= 'z' && (caps || (cap && first)))
			ch -= 32;
		if (ch >= 'a' && ch <= 'z')
			first = 0;
		else if (ch >= 'A' && ch <= 'Z')
			first = 0;
		put_cp(k, ch);
	}
}

static const char *
cyr_simple(uint32_t lc)
{
	switch (lc) {
	case 0x430: return "a";	case 0x431: return "b";	case 0x432: return "v";
	case 0x433: return "g";	case 0x434: return "d";	case 0x436: return "j";
	case 0x437: return "z";	case 0x438: return "i";	case 0x439: return "y";
	case 0x43A: return "k";	case 0x43B: return "l";	case 0x43C: return "m";
	case 0x43D: return "n";	case 0x43E: return "o";	case 0x43F: return "p";
	case 0x440: return "r";	case 0x441: return "s";	case 0x442: return "t";
	case 0x443: return "u";	case 0x444: return "f";	case 0x445: return "x";
	case 0x447: return "ch"; case 0x448: return "sh"; case 0x449: return "sh";
	case 0x44B: return "i";	case 0x44D: return "e";	case 0x451: return "yo";
	case 0x44E: return "yu"; case 0x49B: return "q"; case 0x4B3: return "h";
	case 0x4BB: return "h";	case 0x456: return "i";	case 0x458: return "j";
	}
	return NULL;
}

size_t
translit_latn_buf(const char *in, size_t len, char *out, size_t cap, int flags)
{
	struct cps	c;
	struct sink	k = { out, cap, 0, 0 };
	int		caps = 0;
	const int	noapos = flags & TRANSLIT_NOAPOS;

	if (cap == 0)
		return (size_t)-1;
	if (!cps_decode(&c, in, len))
		return (size_t)-1;
	for (size_t i = 0; i < c.n && !k.full; i++) {
		uint32_t	 ch = c.v[i], lc, prev, next;
		int		 up;
		const char	*s;

		if (is_letter(ch) && (i == 0 || !is_letter(c.v[i - 1]))) {
			/* New word: all caps when 2+ letters and no lower. */
			unsigned	nu = 0, nl = 0;

			for (size_t j = i; j < c.n && is_letter(c.v[j]); j++) {
				uint32_t	x = c.v[j];

				if (utf8_is_cyr(x) ? cyr_lower(x) != x :
				    latn_lower(x) != x)
					nu++;
				else
					nl++;
			}
			caps = nu >= 2 && nl == 0;
		}
		if (!utf8_is_cyr(ch)) {
			put_cp(&k, ch);
			continue;
		}
		lc = cyr_lower(ch);
		up = lc != ch;
		prev = (i > 0 && is_letter(c.v[i - 1])) ? cyr_lower(c.v[i - 1]) : 0;
		next = (i + 1 < c.n && is_letter(c.v[i + 1])) ?
		    cyr_lower(c.v[i + 1]) : 0;
		switch (lc) {
		case 0x435:	/* е */
			put_latn(&k, (prev == 0 || cyr_vowel(prev) ||
			    prev == 0x44A || prev == 0x44C) ? "ye" : "e", up, caps);
			break;
		case 0x446:	/* ц */
			put_latn(&k, (cyr_vowel(prev) && next != 0) ? "ts" : "s",
			    up, caps);
			break;
		case 0x44F:	/* я; "a" in сентябр, октябр */
			put_latn(&k, (prev == 0x442 && next == 0x431 &&
			    i + 2 < c.n && cyr_lower(c.v[i + 2]) == 0x440) ?
			    "a" : "ya", up, caps);
			break;
		case 0x44A:	/* ъ */
			if (prev == 0x45E || next == 0x435 || next == 0x451 ||
			    next == 0x44E || next == 0x44F)
				break;
			if (!noapos)
				put_cp(&k, UTF8_TUTUQ);
			break;
		case 0x44C:	/* ь */
			break;
		case 0x45E: case 0x4AF: case 0x4B1:	/* ў, and ү ұ for it */
			put_latn(&k, "o", up, caps);
			if (!noapos)
				put_cp(&k, UTF8_OKINA);
			break;
		case 0x493:	/* ғ */
			put_latn(&k, "g", up, caps);
			if (!noapos)
				put_cp(&k, UTF8_OKINA);
			break;
		case 0x441:	/* с; сҳ -> sʼh so it is not read as ш */
			put_latn(&k, "s", up, caps);
			if (next == 0x4B3 && !noapos)
				put_cp(&k, UTF8_TUTUQ);
			break;
		default:
			s = cyr_simple(lc);
			if (s != NULL)
				put_latn(&k, s, up, caps);
			else
				put_cp(&k, ch);
		}
	}
	cps_free(&c);
	if (k.full)
		return (size_t)-1;
	out[k.o] = '\0';
	return k.o;
}

/* ---- Latin -> Cyrillic -------------------------------------------------- */

static int
latn_vowel(uint32_t lc)
{
	return lc == 'a' || lc == 'e' || lc == 'i' || lc == 'o' || lc == 'u';
}

static uint32_t
latn_simple(uint32_t lc)
{
	static const uint32_t	map[26] = {
		0x430, 0x431, 0x446, 0x434, 0x435, 0x444, 0x433, 0x4B3, 0x438,
		0x436, 0x43A, 0x43B, 0x43C, 0x43D, 0x43E, 0x43F, 0x49B, 0x440,
		0x441, 0x442, 0x443, 0x432, 0x432, 0x445, 0x439, 0x437
	};

	return (lc >= 'a' && lc <= 'z') ? map[lc - 'a'] : 0;
}

/* Upper-case ASCII words kept as they are inside Cyrillic text. */
static int
is_code_word(const uint32_t *v, size_t n)
{
	static const char *const codes[] = {
		"SMS", "STOP", "START", "OK", "ID", "AR", "PINFL", "USSD", "URL",
		"PDF", "GPS", "IT", "QR", "MMS", "OTP", "PIN", NULL
	};
	char	buf[8];

	if (n == 0 || n >= sizeof buf)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < 'A' || v[i] > 'Z')
			return 0;
		buf[i] = (char)v[i];
	}
	buf[n] = '\0';
	for (size_t i = 0; codes[i] != NULL; i++)
		if (strcmp(buf, codes[i]) == 0)
			return 1;
	return 0;
}

/* Letters Uzbek Latin never uses alone: the word is foreign, keep it. */
static int
is_foreign(const uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t	lc = latn_lower(v[i]);

		if (lc == 'w' || (lc == 'c' && (i + 1 >= n ||
		    latn_lower(v[i + 1]) != 'h')))
			return 1;
		if (v[i] >= 0x80 && !is_apos(v[i]))
			return 1;
	}
	return 0;
}

static void
put_cyr(struct sink *k, uint32_t lc, int up)
{
	put_cp(k, up ? cyr_upper(lc) : lc);
}

/* One run of Latin letters (with inner apostrophes) v[0..n). */
static void
latn_run(struct sink *k, const uint32_t *v, size_t n, int token_has_digit)
{
	unsigned	nu = 0, nl = 0;
	int		caps;
	uint32_t	prev = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i] >= 'A' && v[i] <= 'Z')
			nu++;
		else if (v[i] >= 'a' && v[i] <= 'z')
			nl++;
	}
	caps = nu >= 2 && nl == 0;
	if ((caps && token_has_digit) || is_code_word(v, n) ||
	    is_foreign(v, n) || (nu == 1 && n == 1 && token_has_digit)) {
		for (size_t i = 0; i < n; i++)
			put_cp(k, v[i]);
		return;
	}
	for (size_t i = 0; i < n;) {
		uint32_t	lc = latn_lower(v[i]);
		uint32_t	n1 = i + 1 < n ? latn_lower(v[i + 1]) : 0;
		uint32_t	n2 = i + 2 < n ? latn_lower(v[i + 2]) : 0;
		int		up = caps || v[i] != lc;

		if (is_apos(v[i])) {
			put_cyr(k, 0x44A, caps);	/* tutuq -> ъ */
			prev = 0x44A;
			i++;
			continue;
		}
		if (lc == 's' && is_apos(n1) && n2 == 'h') {
			put_cyr(k, 0x441, up);
			put_cyr(k, 0x4B3, caps || v[i + 2] == 'H');
			i += 3;
		} else if (lc == 's' && n1 == 'h') {
			put_cyr(k, 0x448, up);
			i += 2;
		} else if (lc == 'c' && n1 == 'h') {
			put_cyr(k, 0x447, up);
			i += 2;
		} else if ((lc == 'o' || lc == 'g') && is_apos(n1)) {
			put_cyr(k, lc == 'o' ? 0x45E : 0x493, up);
			i += 2;
		} else if (lc == 'y' && (n1 == 'o' || n1 == 'u' || n1 == 'a' ||
		    n1 == 'e') && !(n1 == 'o' && is_apos(n2))) {
			put_cyr(k, n1 == 'o' ? 0x451 : n1 == 'u' ? 0x44E :
			    n1 == 'a' ? 0x44F : 0x435, up);
			i += 2;
		} else if (lc == 'e') {
			put_cyr(k, (prev == 0 || latn_vowel(prev)) ? 0x44D : 0x435,
			    up);
			i++;
		} else {
			uint32_t	c = latn_simple(lc);

			if (c == 0)
				put_cp(k, v[i]);
			else
				put_cyr(k, c, up);
			i++;
		}
		prev = lc;
	}
}

static int
is_token_cp(uint32_t c)
{
	return c > ' ' && c != 0x7F && c != 0xA0;
}

/* "my.gov.uz", "baraka.gov.uz.": a domain name, kept in Latin. */
static int
is_domain(const uint32_t *v, size_t n)
{
	static const char *const tlds[] = { "uz", "com", "ru", "org", "net",
	    NULL };
	size_t	dot = 0, end = n;

	while (end > 0 && (v[end - 1] == '.' || v[end - 1] == ',' ||
	    v[end - 1] == ')' || v[end - 1] == ';' || v[end - 1] == ':'))
		end--;
	for (size_t i = 0; i < end; i++) {
		if (v[i] == '.')
			dot = i;
		else if (!(v[i] < 0x80 && (utf8_is_latin(v[i]) ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '-')))
			return 0;
	}
	if (dot == 0)
		return 0;
	for (size_t t = 0; tlds[t] != NULL; t++) {
		size_t tl = strlen(tlds[t]), j;

		if (end - dot - 1 != tl)
			continue;
		for (j = 0; j < tl && latn_lower(v[dot + 1 + j]) ==
		    (uint32_t)tlds[t][j]; j++)
			;
		if (j == tl)
			return 1;
	}
	return 0;
}

static void
to_cyrl(struct sink *k, const uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t	e = i;
		int	digit = 0, url = 0;

		if (!is_token_cp(v[i])) {
			put_cp(k, v[i++]);
			continue;
		}
		while (e < n && is_token_cp(v[e])) {
			if (v[e] >= '0' && v[e] <= '9')
				digit = 1;
			if (v[e] == '@' || (v[e] == ':' && e + 2 < n &&
			    v[e + 1] == '/' && v[e + 2] == '/'))
				url = 1;
			e++;
		}
		if (e - i > 4 && latn_lower(v[i]) == 'w' &&
		    latn_lower(v[i + 1]) == 'w' && latn_lower(v[i + 2]) == 'w' &&
		    v[i + 3] == '.')
			url = 1;
		if (url || is_domain(v + i, e - i)) {
			while (i < e)
				put_cp(k, v[i++]);
			continue;
		}
		while (i < e) {
			size_t	r = i;

			if (v[i] == '{') {
				/* A catalogue placeholder stays: {app_no}. */
				while (r < e && v[r] != '}')
					r++;
				if (r < e) {
					while (i <= r)
						put_cp(k, v[i++]);
					continue;
				}
				r = i;
			}
			if (!utf8_is_latin(v[i]) || v[i] >= 0x80) {
				put_cp(k, v[i++]);
				continue;
			}
			/* A run: letters, and apostrophes between letters or
			 * after o/g. */
			while (r < e && ((v[r] < 0x80 && utf8_is_latin(v[r])) ||
			    (is_apos(v[r]) && r > i && (
			    (r + 1 < e && v[r + 1] < 0x80 &&
			    utf8_is_latin(v[r + 1])) ||
			    latn_lower(v[r - 1]) == 'o' ||
			    latn_lower(v[r - 1]) == 'g'))))
				r++;
			latn_run(k, v + i, r - i, digit);
			i = r;
		}
	}
}

/* ---- public wrappers -------------------------------------------------- */

static enum mj_err
prepare(const char *in, size_t len, uint8_t **nfc, size_t *nlen)
{
	*nfc = NULL;
	if (memchr(in, '\0', len) != NULL ||
	    u8_check((const uint8_t *)in, len) != NULL)
		return MJ_EINPUT;
	*nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)in, len, NULL, nlen);
	return *nfc == NULL ? MJ_ENOMEM : MJ_OK;
}

enum mj_err
translit_to_latn(const char *in, size_t len, char **out)
{
	uint8_t		*nfc;
	size_t		 n, cap, w;
	enum mj_err	 rc;

	*out = NULL;
	if ((rc = prepare(in, len, &nfc, &n)) != MJ_OK)
		return rc;
	cap = 2 * n + 1;
	if ((*out = malloc(cap)) == NULL) {
		free(nfc);
		return MJ_ENOMEM;
	}
	w = translit_latn_buf((const char *)nfc, n, *out, cap, 0);
	free(nfc);
	if (w == (size_t)-1) {
		free(*out);
		*out = NULL;
		return MJ_ENOMEM;
	}
	return MJ_OK;
}

enum mj_err
translit_to_cyrl(const char *in, size_t len, char **out)
{
	uint8_t		*nfc;
	size_t		 n;
	struct cps	 c;
	struct sink	 k;
	enum mj_err	 rc;

	*out = NULL;
	if ((rc = prepare(in, len, &nfc, &n)) != MJ_OK)
		return rc;
	if (!cps_decode(&c, (const char *)nfc, n)) {
		free(nfc);
		return MJ_ENOMEM;
	}
	k.cap = 2 * n + 1;
	k.o = 0;
	k.full = 0;
	if ((k.out = malloc(k.cap)) == NULL) {
		cps_free(&c);
		free(nfc);
		return MJ_ENOMEM;
	}
	to_cyrl(&k, c.v, c.n);
	cps_free(&c);
	free(nfc);
	if (k.full) {
		free(k.out);
		return MJ_EINTERNAL;
	}
	k.out[k.o] = '\0';
	*out = k.out;
	return MJ_OK;
}
