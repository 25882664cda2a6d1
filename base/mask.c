/*
 * mask.c - the masking table of mask.h.
 *
 * A text is read as runs of digits (mask.h says exactly what a run is);
 * an application number at the start of a run is stepped over, and every
 * other run is looked up in the table below by its number of digits (and
 * Luhn, and the letters before it): the first row that fits names the
 * kind and how many digits stay in clear.  A run of fewer than MASK_RUN
 * digits that fits no row stays as written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mask.h"

const char *
mask_phone(const char *phone, char *buf, size_t len)
{
	size_t	n, o = 0;

	if (len == 0)
		return buf;
	if (phone == NULL || *phone == '\0') {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	n = strlen(phone);
	if (n == 13 && strncmp(phone, "+998", 4) == 0 &&
	    strspn(phone + 1, "0123456789") == 12) {
		snprintf(buf, len, "+998 %.2s *** ** %.2s", phone + 4,
		    phone + 11);
		return buf;
	}
	/* Anything else (a chat id, a foreign number): the last two stay. */
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		char c = phone[i];

		buf[o++] = (c >= '0' && c <= '9') ? (i + 2 < n ? '*' : c) :
		    (c == '+' ? '+' : '*');
	}
	buf[o] = '\0';
	return buf;
}

/* ---- reading runs */

#define RUN_MAX	64	/* digits kept of one run; longer runs are numbers */

struct run {
	size_t		start, last;	/* first and last digit's offsets */
	size_t		nd;		/* digits */
	char		d[RUN_MAX];	/* the first RUN_MAX of them */
};

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '.' || c == '-' || c == '(' ||
	    c == ')' || c == '/' || c == '+';
}

/* Separators, at most MASK_SEPS, from t[i] and then a digit: how many. */
static size_t
seps_to_digit(const char *t, size_t n, size_t i)
{
	size_t	s = 0;

	while (s < MASK_SEPS && i + s < n && is_sep(t[i + s]))
		s++;
	return s > 0 && i + s < n && is_digit(t[i + s]) ? s : 0;
}

/* The run that starts at the digit t[i]. */
static void
run_read(const char *t, size_t n, size_t i, struct run *r)
{
	size_t	end = i, s;

	r->start = r->last = i;
	r->nd = 0;
	for (;;) {
		if (end < n && is_digit(t[end])) {
			if (r->nd < RUN_MAX)
				r->d[r->nd] = t[end];
			r->nd++;
			r->last = end++;
		} else if (end < n && (s = seps_to_digit(t, n, end)) > 0)
			end += s;
		else
			break;
	}
}

/* "AR" or "АР" (any case) ending at t[k], not glued to a word before. */
static int
app_prefix_at(const char *t, size_t k)
{
	size_t	b;

	if (k >= 2 && (t[k - 2] == 'a' || t[k - 2] == 'A') &&
	    (t[k - 1] == 'r' || t[k - 1] == 'R'))
		b = k - 2;
	else if (k >= 4 && (memcmp(t + k - 4, "\xd0\x90", 2) == 0 ||
	    memcmp(t + k - 4, "\xd0\xb0", 2) == 0) &&
	    (memcmp(t + k - 2, "\xd0\xa0", 2) == 0 ||
	    memcmp(t + k - 2, "\xd1\x80", 2) == 0))
		b = k - 4;
	else
		return 0;
	return b == 0 || !(is_alpha(t[b - 1]) || is_digit(t[b - 1]) ||
	    (unsigned char)t[b - 1] >= 0x80);
}

static int
app_prefixed(const char *t, size_t at)
{
	size_t	k = at;

	for (int s = 0; k > 0 && s < MASK_SEPS; s++) {
		if (is_sep(t[k - 1]) || t[k - 1] == '#')
			k--;
		else if (k >= 3 && memcmp(t + k - 3, "\xe2\x84\x96", 3) == 0)
			k -= 3;				/* № */
		else
			break;
	}
	return app_prefix_at(t, k);
}

static size_t
digits_at(const char *t, size_t n, size_t i)
{
	size_t	k = 0;

	while (i + k < n && is_digit(t[i + k]))
		k++;
	return k;
}

size_t
mask_app_no(const char *t, size_t n, size_t at)
{
	size_t	year = digits_at(t, n, at), s, serial;

	if (year < 4 || t[at] != '2' || t[at + 1] != '0')
		return 0;
	if (year == 10) {
		int alone = (at == 0 || !(is_alpha(t[at - 1]) ||
		    (unsigned char)t[at - 1] >= 0x80)) &&
		    (at + 10 == n || !is_alpha(t[at + 10]));

		return alone || app_prefixed(t, at) ? 10 : 0;
	}
	if (year != 4 || !app_prefixed(t, at))
		return 0;
	s = seps_to_digit(t, n, at + 4);
	serial = s > 0 ? digits_at(t, n, at + 4 + s) : 0;
	if (serial < 1 || serial > 6)
		return 0;
	return 4 + s + serial;
}

/* ---- the table */

static int
luhn(const struct run *r)
{
	int	sum = 0;

	for (size_t k = 0; k < r->nd; k++) {
		int v = r->d[r->nd - 1 - k] - '0';

		if (k % 2 == 1 && (v *= 2) > 9)
			v -= 9;
		sum += v;
	}
	return sum % 10 == 0;
}

/* Two letters (Latin, or Cyrillic that looks Latin) just before t[i]. */
static int
passport_series(const char *t, size_t i)
{
	static const char *const cyr[] = { "\xd0\x90", "\xd0\x92", "\xd0\x95",
	    "\xd0\x9a", "\xd0\x9c", "\xd0\x9d", "\xd0\x9e", "\xd0\xa0",
	    "\xd0\xa1", "\xd0\xa2", "\xd0\xa5" };	/* А В Е К М Н О Р С Т Х */
	int	letters = 0;

	if (i > 0 && t[i - 1] == ' ')
		i--;
	while (letters < 2 && i > 0) {
		int cy = 0;

		if (is_alpha(t[i - 1]) && t[i - 1] >= 'A' && t[i - 1] <= 'Z') {
			i--;
			letters++;
			continue;
		}
		for (size_t c = 0; i >= 2 && c < sizeof(cyr) / sizeof(cyr[0]);
		    c++)
			if (memcmp(t + i - 2, cyr[c], 2) == 0)
				cy = 1;
		if (!cy)
			break;
		i -= 2;
		letters++;
	}
	return letters == 2;
}

static const struct row {
	enum mask_kind	kind;
	const char	*name;
	size_t		min, max;	/* digits */
	const char	*head;		/* the run begins with these, or NULL */
	int		luhn;		/* must pass Luhn */
	int		series;		/* two capital letters before */
	size_t		keep_head, keep_tail;	/* digits in clear */
} table[] = {
	{ MASK_PASSPORT, "passport",	 7,  7, NULL,  0, 1, 0, 2 },
	{ MASK_PHONE,	 "phone",	12, 12, "998", 0, 0, 5, 2 },
	{ MASK_LOCAL,	 "local_phone",	 9,  9, NULL,  0, 0, 0, 2 },
	{ MASK_PINFL,	 "pinfl",	14, 14, NULL,  0, 0, 0, 2 },
	{ MASK_ACCOUNT,	 "account",	20, 20, NULL,  0, 0, 0, 2 },
	{ MASK_CARD,	 "card",	13, 19, NULL,  1, 0, 0, 4 },
	{ MASK_NUMBER,	 "number",	MASK_RUN, (size_t)-1, NULL, 0, 0, 0, 2 },
};

static const struct row *
classify(const char *t, const struct run *r)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct row *w = &table[i];

		if (r->nd < w->min || r->nd > w->max)
			continue;
		if (w->head != NULL && (r->nd > RUN_MAX ||
		    strncmp(r->d, w->head, strlen(w->head)) != 0))
			continue;
		if (w->luhn && (r->nd > RUN_MAX || !luhn(r)))
			continue;
		if (w->series && !passport_series(t, r->start))
			continue;
		return w;
	}
	return NULL;
}

const char *
mask_kind_name(enum mask_kind k)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].kind == k)
			return table[i].name;
	return "none";
}

/*
 * Each identifier of t to fn, in order; fn returns non-zero to stop.
 * Returns what fn returned last (0 when never called or never stopped).
 */
static int
scan(const char *t, size_t n, int (*fn)(void *, const struct run *,
    const struct row *), void *arg)
{
	size_t	i = 0;

	while (i < n) {
		struct run		 r;
		const struct row	*w;
		size_t			 app;

		if (!is_digit(t[i])) {
			i++;
			continue;
		}
		if ((app = mask_app_no(t, n, i)) > 0) {
			i += app;
			continue;
		}
		run_read(t, n, i, &r);
		if ((w = classify(t, &r)) != NULL && fn(arg, &r, w) != 0)
			return 1;
		i = r.last + 1;
	}
	return 0;
}

struct mask_ctx {
	char	*out;
	int	 all;
	int	 changed;
};

static int
mask_one(void *arg, const struct run *r, const struct row *w)
{
	struct mask_ctx	*x = arg;
	size_t		 seen = 0;

	for (size_t k = r->start; k <= r->last; k++) {
		if (!is_digit(x->out[k]))
			continue;
		if (x->all || (seen >= w->keep_head &&
		    seen + w->keep_tail < r->nd))
			x->out[k] = '*';
		seen++;
	}
	x->changed = 1;
	return 0;
}

static char *
mask_with(const char *text, int all, int *changed)
{
	struct mask_ctx	x = { .all = all };

	*changed = 0;
	if ((x.out = strdup(text)) == NULL)
		return NULL;
	scan(text, strlen(text), mask_one, &x);
	*changed = x.changed;
	return x.out;
}

char *
mask_text(const char *text, int *changed)
{
	return mask_with(text, 0, changed);
}

char *
mask_text_all(const char *text, int *changed)
{
	return mask_with(text, 1, changed);
}

struct first_ctx {
	enum mask_kind	 kind;
	char		*digits;
	size_t		 len;
};

static int
first_one(void *arg, const struct run *r, const struct row *w)
{
	struct first_ctx	*x = arg;

	x->kind = w->kind;
	if (x->digits != NULL && x->len > 0)
		snprintf(x->digits, x->len, "%.*s",
		    (int)(r->nd < RUN_MAX ? r->nd : RUN_MAX), r->d);
	return 1;
}

enum mask_kind
mask_first(const char *text, char *digits, size_t len)
{
	struct first_ctx	x = { MASK_NONE, digits, len };

	if (digits != NULL && len > 0)
		digits[0] = '\0';
	scan(text, strlen(text), first_one, &x);
	return x.kind;
}

struct ids_ctx {
	char	*out;
	size_t	 len, o;
};

static void
ids_put(struct ids_ctx *x, const char *d, size_t nd)
{
	if (x->o + nd + 2 > x->len)
		return;
	if (x->o > 0)
		x->out[x->o++] = ' ';
	memcpy(x->out + x->o, d, nd);
	x->o += nd;
	x->out[x->o] = '\0';
}

static int
ids_one(void *arg, const struct run *r, const struct row *w)
{
	struct ids_ctx	*x = arg;
	char		 d[RUN_MAX + 3];
	size_t		 nd = r->nd < RUN_MAX ? r->nd : RUN_MAX;

	ids_put(x, r->d, nd);
	if (w->kind == MASK_PHONE)
		ids_put(x, r->d + 3, nd - 3);
	else if (w->kind == MASK_LOCAL) {
		memcpy(d, "998", 3);
		memcpy(d + 3, r->d, nd);
		ids_put(x, d, nd + 3);
	}
	return 0;
}

void
mask_ids(const char *text, char *out, size_t len)
{
	struct ids_ctx	x = { out, len, 0 };

	if (len == 0)
		return;
	out[0] = '\0';
	scan(text, strlen(text), ids_one, &x);
}

struct each_ctx {
	int	(*fn)(void *, enum mask_kind, size_t, size_t);
	void	*arg;
};

static int
each_one(void *arg, const struct run *r, const struct row *w)
{
	struct each_ctx	*x = arg;

	return x->fn(x->arg, w->kind, r->start, r->last);
}

void
mask_each(const char *text, int (*fn)(void *, enum mask_kind, size_t,
    size_t), void *arg)
{
	struct each_ctx	x = { fn, arg };

	scan(text, strlen(text), each_one, &x);
}
