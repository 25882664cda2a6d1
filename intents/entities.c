/*
 * entities.c - scanners for app_no, pinfl, phone and number.  See entities.h.
 */
#include <stdlib.h>
#include <string.h>

#include "intents/entities.h"
#include "intents/translit.h"
#include "intents/utf8.h"

#define MAX_SPANS	32

struct spans {
	size_t	a[MAX_SPANS], b[MAX_SPANS];
	int	n;
};

static void
span_add(struct spans *s, size_t a, size_t b)
{
	if (s->n < MAX_SPANS) {
		s->a[s->n] = a;
		s->b[s->n] = b;
		s->n++;
	}
}

static int
span_hit(const struct spans *s, size_t i)
{
	for (int k = 0; k < s->n; k++)
		if (i >= s->a[k] && i < s->b[k])
			return 1;
	return 0;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Is the byte before i part of a word (letter or digit)? */
static int
word_before(const char *t, size_t i)
{
	size_t		k;
	uint32_t	c;

	if (i == 0)
		return 0;
	k = i - 1;
	while (k > 0 && ((unsigned char)t[k] & 0xC0) == 0x80)
		k--;
	{
		size_t	j = k;

		c = utf8_next(t, i, &j);
	}
	return is_digit((char)c) || utf8_is_cyr(c) || utf8_is_latin(c);
}

static int
word_after(const char *t, size_t n, size_t i)
{
	uint32_t	c;

	if (i >= n)
		return 0;
	c = utf8_next(t, n, &i);
	return is_digit((char)c) || utf8_is_cyr(c) || utf8_is_latin(c);
}

static size_t
digits(const char *t, size_t n, size_t i)
{
	size_t	k = i;

	while (k < n && is_digit(t[k]))
		k++;
	return k - i;
}

/* ---- app_no ----------------------------------------------------------- */

static int
is_app_sep(const char *t, size_t n, size_t i, size_t *len)
{
	if (i >= n)
		return 0;
	if (t[i] == ' ' || t[i] == '-' || t[i] == '/' || t[i] == '_' ||
	    t[i] == '.' || t[i] == '#' || t[i] == ':') {
		*len = 1;
		return 1;
	}
	if (i + 2 < n && memcmp(t + i, "\xe2\x84\x96", 3) == 0) {	/* № */
		*len = 3;
		return 1;
	}
	return 0;
}

static int
year_ok(const char *t)
{
	return t[0] == '2' && t[1] == '0';
}

/*
 * Year and serial at t[i..]: with a prefix the serial has 1-6 digits,
 * without one exactly 6.  Returns the end, or 0.
 */
static size_t
app_tail(const char *t, size_t n, size_t i, int prefixed, char *out,
    size_t outlen)
{
	size_t	y = i, s, sl, k, seps = 0, sep;
	long	serial = 0;

	if (digits(t, n, y) == 10 && year_ok(t + y)) {
		s = y + 4;			/* 2025000001 */
		sl = 6;
	} else {
		if (digits(t, n, y) != 4 || !year_ok(t + y))
			return 0;
		s = y + 4;
		while (seps < 2 && is_app_sep(t, n, s, &sep) && t[s] != '#' &&
		    t[s] != ':') {
			s += sep;
			seps++;
		}
		if (seps == 0 && !prefixed)
			return 0;
		if (seps == 2 && t[s - 1] == t[s - 2] && t[s - 1] != ' ')
			return 0;		/* "2025--1" */
		sl = digits(t, n, s);
		if (sl == 0 || sl > 6 || (!prefixed && sl != 6))
			return 0;
	}
	k = s + sl;
	if (k < n && (is_digit(t[k]) || (t[k] == '-' && k + 1 < n &&
	    !is_digit(t[k + 1]) && t[k + 1] != ' ')))
		return 0;
	if (word_after(t, n, k) && !prefixed)
		return 0;
	for (size_t j = s; j < s + sl; j++)
		serial = serial * 10 + (t[j] - '0');
	if (serial == 0)
		return 0;
	if (outlen < 15)
		return 0;
	memcpy(out, "AR-", 3);
	memcpy(out + 3, t + y, 4);
	out[7] = '-';
	for (int q = 13; q >= 8; q--) {
		out[q] = (char)('0' + serial % 10);
		serial /= 10;
	}
	out[14] = '\0';
	return k;
}

static void
find_app(const char *t, size_t n, struct nlu_result *r, struct spans *sp,
    int prefixed)
{
	for (size_t i = 0; i < n; i++) {
		size_t	k, e, sep;
		int	nsep = 0;

		if (span_hit(sp, i) || word_before(t, i))
			continue;
		if (prefixed) {
			if (i + 1 < n && t[i] == 'a' && t[i + 1] == 'r')
				k = i + 2;
			else if (i + 3 < n &&
			    memcmp(t + i, "\xd0\xb0\xd1\x80", 4) == 0)
				k = i + 4;	/* Cyrillic ар */
			else
				continue;
			while (nsep < 3 && is_app_sep(t, n, k, &sep)) {
				k += sep;
				nsep++;
			}
		} else {
			k = i;
			if (!is_digit(t[i]))
				continue;
		}
		if (k < n && (e = app_tail(t, n, k, prefixed, r->app_no,
		    sizeof r->app_no)) != 0) {
			span_add(sp, i, e);
			return;
		}
		r->app_no[0] = '\0';
	}
}

/* ---- digit groups: pinfl and phone ------------------------------------ */

#define MAX_GROUPS 8

struct groups {
	size_t	start[MAX_GROUPS], len[MAX_GROUPS], end[MAX_GROUPS];
	int	n;
};

/*
 * Digit groups from i, split by one space, dash or bracket (phone: "(90)").
 */
static void
collect(const char *t, size_t n, size_t i, struct groups *g, int brackets)
{
	size_t	k = i;

	g->n = 0;
	while (g->n < MAX_GROUPS && k < n) {
		size_t	d, s = k;

		if (brackets && t[k] == '(')
			k++;
		d = digits(t, n, k);
		if (d == 0)
			break;
		g->start[g->n] = k;
		g->len[g->n] = d;
		k += d;
		if (brackets && k < n && t[k] == ')')
			k++;
		g->end[g->n] = k;
		g->n++;
		(void)s;
		if (k + 1 < n && (t[k] == ' ' || t[k] == '-') &&
		    (is_digit(t[k + 1]) || (brackets && t[k + 1] == '(')))
			k++;
		else if (brackets && k + 2 < n && t[k] == ' ' &&
		    t[k + 1] == '(')
			k++;
		else
			break;
	}
}

static void
find_pinfl(const char *t, size_t n, struct nlu_result *r, struct spans *sp)
{
	for (size_t i = 0; i < n; i++) {
		struct groups	g;
		size_t		tot = 0;

		if (!is_digit(t[i]) || span_hit(sp, i) || word_before(t, i) ||
		    (i > 0 && t[i - 1] == '+'))
			continue;
		collect(t, n, i, &g, 0);
		for (int j = 0; j < g.n; j++) {
			tot += g.len[j];
			if (tot > 14)
				break;
			if (tot == 14) {
				if (word_after(t, n, g.end[j]) || t[i] < '1' ||
				    t[i] > '6')
					break;
				for (int q = 0, o = 0; q <= j; q++) {
					memcpy(r->pinfl + o, t + g.start[q],
					    g.len[q]);
					o += (int)g.len[q];
				}
				r->pinfl[14] = '\0';
				span_add(sp, i, g.end[j]);
				return;
			}
		}
		/* skip the rest of this run */
		while (i + 1 < n && is_digit(t[i + 1]))
			i++;
	}
}

int
ent_operator_ok(const char *d)
{
	static const char *const codes[] = {
		"20", "33", "50", "55", "77", "88", "90", "91", "93", "94", "95",
		"97", "98", "99", "61", "62", "65", "66", "67", "69", "70",
		"71", "72", "73", "74", "75", "76", "79", NULL
	};

	for (int i = 0; codes[i] != NULL; i++)
		if (d[0] == codes[i][0] && d[1] == codes[i][1])
			return 1;
	return 0;
}

static void
find_phone(const char *t, size_t n, struct nlu_result *r, struct spans *sp)
{
	for (size_t i = 0; i < n; i++) {
		struct groups	g;
		char		d[16];
		size_t		tot = 0, s = i;
		int		plus = 0;

		if (span_hit(sp, i))
			continue;
		if (t[i] == '+' && i + 1 < n && is_digit(t[i + 1])) {
			plus = 1;
			s = i + 1;
		} else if (!(is_digit(t[i]) || (t[i] == '(' && i + 1 < n &&
		    is_digit(t[i + 1]))) || word_before(t, i)) {
			continue;
		}
		collect(t, n, s, &g, 1);
		for (int j = 0; j < g.n; j++) {
			if (tot + g.len[j] > 12)
				break;
			memcpy(d + tot, t + g.start[j], g.len[j]);
			tot += g.len[j];
			d[tot] = '\0';
			if (word_after(t, n, g.end[j]))
				continue;
			if ((tot == 12 && memcmp(d, "998", 3) == 0 &&
			    ent_operator_ok(d + 3)) ||
			    (!plus && tot == 9 && ent_operator_ok(d))) {
				size_t	o = 1;

				r->phone[0] = '+';
				if (tot == 9) {
					memcpy(r->phone + 1, "998", 3);
					o = 4;
				}
				memcpy(r->phone + o, d, tot);
				r->phone[o + tot] = '\0';
				span_add(sp, i, g.end[j]);
				return;
			}
		}
		while (i + 1 < n && is_digit(t[i + 1]))
			i++;
	}
}

/* ---- number ----------------------------------------------------------- */

/* Number word: exact, or a prefix key marked num_prefix. */
struct numhit {
	const struct pat_key	*num, *scale;
	int			 want_scale;
};

static void
num_cb(const struct pat_key *k, int exact, void *arg)
{
	struct numhit	*h = arg;

	if (k->has_num && (exact || k->num_prefix))
		h->num = k;
	if (k->scale > 0 && (exact || k->scale_prefix))
		h->scale = k;
}

static void
word_lookup(const struct pat_set *ps, const char *w, size_t wl,
    struct numhit *h)
{
	char	buf[256];
	size_t	n;

	h->num = h->scale = NULL;
	if (ps == NULL || wl == 0)
		return;
	pat_keys_of_word(ps, w, wl, num_cb, h);
	if ((h->num == NULL && h->scale == NULL) &&
	    (unsigned char)w[0] >= 0x80 && wl <= 100) {
		n = translit_latn_buf(w, wl, buf, sizeof buf, TRANSLIT_NOAPOS);
		if (n != (size_t)-1)
			pat_keys_of_word(ps, buf, n, num_cb, h);
	}
}

/* End of the word (letters) at i. */
static size_t
word_end(const char *t, size_t n, size_t i)
{
	while (i < n) {
		size_t		k = i;
		uint32_t	c = utf8_next(t, n, &k);

		if (!(utf8_is_cyr(c) || utf8_is_latin(c)))
			break;
		i = k;
	}
	return i;
}

/* A scale word at t[i..] (after optional one space); multiplies *v. */
static size_t
scale_after(const struct pat_set *ps, const char *t, size_t n, size_t i,
    double *v)
{
	static const char *const halves[] = { "yarim ", "ярим ",
	    "с половиной ", "and a half ", NULL };
	size_t		s = i, e;
	struct numhit	h;

	if (s < n && t[s] == ' ')
		s++;
	/* "ikki yarim mln", "два с половиной миллиона": and a half */
	for (int k = 0; halves[k] != NULL; k++) {
		size_t hl = strlen(halves[k]);

		if (n - s > hl && memcmp(t + s, halves[k], hl) == 0) {
			struct numhit	sh;
			size_t		se = word_end(t, n, s + hl);

			word_lookup(ps, t + s + hl, se - (s + hl), &sh);
			if (sh.scale == NULL)
				break;	/* only before a scale word */
			*v += 0.5;
			s += hl;
			break;
		}
	}
	e = word_end(t, n, s);
	if (e == s)
		return i;
	word_lookup(ps, t + s, e - s, &h);
	if (h.scale == NULL)
		return i;
	*v *= h.scale->scale;
	return e;
}

static int
date_like(const char *t, size_t n, size_t i)
{
	size_t	a = digits(t, n, i), b, c;
	char	sep;

	if (a == 0 || i + a >= n)
		return 0;
	sep = t[i + a];
	if (sep == ':' && digits(t, n, i + a + 1) == 2)
		return 1;			/* 10:30 */
	if (sep != '.' && sep != '/' && sep != '-')
		return 0;
	b = digits(t, n, i + a + 1);
	if (b == 0 || i + a + 1 + b >= n || t[i + a + 1 + b] != sep)
		return 0;
	c = digits(t, n, i + a + 2 + b);
	return c >= 2 && c <= 4;
}

/* "2025 yil", "2025 йил", "2025 год", "2025 year": a year, not an amount. */
static int
year_word_after(const char *t, size_t n, size_t k)
{
	static const char *const words[] = {
		"yil", "\xd0\xb9\xd0\xb8\xd0\xbb", "\xd0\xb3\xd0\xbe\xd0\xb4",
		"\xd0\xb3.", "year", NULL
	};

	if (k >= n || t[k] != ' ')
		return 0;
	k++;
	for (int i = 0; words[i] != NULL; i++) {
		size_t	l = strlen(words[i]);

		if (n - k >= l && memcmp(t + k, words[i], l) == 0)
			return 1;
	}
	return 0;
}

static void
find_number(const struct pat_set *ps, const char *t, size_t n,
    struct nlu_result *r, const struct spans *sp)
{
	for (size_t i = 0; i < n;) {
		size_t		k, e;
		double		v = 0;
		uint32_t	c;

		if (span_hit(sp, i) || word_before(t, i)) {
			i++;
			continue;
		}
		if (is_digit(t[i])) {
			size_t	d = digits(t, n, i);

			if (date_like(t, n, i)) {
				i += d;
				while (i < n && (is_digit(t[i]) || t[i] == '.' ||
				    t[i] == '/' || t[i] == '-' || t[i] == ':'))
					i++;
				continue;
			}
			k = i + d;
			if (d == 4 && (t[i] == '1' || t[i] == '2') &&
			    year_word_after(t, n, k)) {
				i = k;
				continue;
			}
			for (size_t j = i; j < k; j++)
				v = v * 10 + (t[j] - '0');
			/* 2 500 000: groups of exactly three digits */
			if (d <= 3)
				while (k + 3 < n + 0 && t[k] == ' ' &&
				    digits(t, n, k + 1) == 3 &&
				    !span_hit(sp, k + 1)) {
					for (size_t j = k + 1; j < k + 4; j++)
						v = v * 10 + (t[j] - '0');
					k += 4;
				}
			if (k + 1 < n && (t[k] == '.' || t[k] == ',') &&
			    is_digit(t[k + 1])) {
				double	f = 0.1;

				for (k++; k < n && is_digit(t[k]); k++) {
					v += f * (t[k] - '0');
					f /= 10;
				}
			}
			if (k < n && t[k] == '-' && k + 1 < n &&
			    !is_digit(t[k + 1]) && t[k + 1] != ' ') {
				i = k;		/* 15-mart, 2025-yil, 3-son */
				continue;
			}
			e = scale_after(ps, t, n, k, &v);
			if (e == k && word_after(t, n, k)) {
				/* digits glued to letters: "3mln" or "5ta" */
				size_t	we = word_end(t, n, k);
				struct numhit h;

				word_lookup(ps, t + k, we - k, &h);
				if (h.scale != NULL)
					v *= h.scale->scale;
			}
			r->has_number = 1;
			r->number = v;
			return;
		}
		k = i;
		c = utf8_next(t, n, &k);
		if (utf8_is_cyr(c) || utf8_is_latin(c)) {
			struct numhit	h;

			e = word_end(t, n, i);
			word_lookup(ps, t + i, e - i, &h);
			if (h.num != NULL) {
				v = h.num->num;
				(void)scale_after(ps, t, n, e, &v);
				r->has_number = 1;
				r->number = v;
				return;
			}
			i = e;
			continue;
		}
		i = k;
	}
}

void
ent_extract(const struct pat_set *ps, const char *t, size_t n,
    struct nlu_result *r)
{
	struct spans	sp;

	sp.n = 0;
	r->app_no[0] = r->pinfl[0] = r->phone[0] = '\0';
	r->has_number = 0;
	r->number = 0;
	find_app(t, n, r, &sp, 1);
	find_pinfl(t, n, r, &sp);
	find_phone(t, n, r, &sp);
	if (r->app_no[0] == '\0')
		find_app(t, n, r, &sp, 0);
	find_number(ps, t, n, r, &sp);
}
