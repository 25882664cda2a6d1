/*
 * ussd.c - the USSD state machine's moves (ussd.h): the inputs of one
 * request applied to a session's state, the state as a string, request
 * ids.  The screens are ussd_screen.c's; the data behind them the
 * source's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bot/ussd.h"

#define MAIN_ITEMS	6	/* status, eligibility, documents, office,
				 * call-back, language */
#define MAX_Q		8
#define ANSWER_DIGITS	12	/* an income of billions has 11 */

void
ussd_start(struct ussd_state *st, int known_lang)
{
	memset(st, 0, sizeof(*st));
	st->item = -1;
	if (known_lang >= 0 && known_lang < LANG__COUNT) {
		st->scr = USSD_MAIN;
		st->lang = (enum lang)known_lang;
	} else {
		st->scr = USSD_LANG_FIRST;
		st->lang = LANG_DEFAULT;
	}
}

/* The topic a screen belongs to: the intent its input is recorded with. */
static enum intent
topic(const struct ussd_state *st)
{
	switch (st->scr) {
	case USSD_LANG_FIRST:
	case USSD_LANG:
		return INTENT_LANGUAGE_CHANGE;
	case USSD_STATUS_ASK:
	case USSD_STATUS:
		return INTENT_STATUS_CHECK;
	case USSD_PROGS:
		return st->docs ? INTENT_DOCUMENTS : INTENT_ELIGIBILITY;
	case USSD_QUESTION:
	case USSD_VERDICT:
	case USSD_INFO:
		return INTENT_ELIGIBILITY;
	case USSD_DOCS:
		return INTENT_DOCUMENTS;
	case USSD_DISTRICTS:
	case USSD_OFFICE:
		return INTENT_OFFICE_LOCATION;
	case USSD_OPERATOR:
		return INTENT_HELP;
	case USSD_OPERATOR_DONE:
		/* what the help desk counts as asking for a person */
		return INTENT_HUMAN_OPERATOR;
	default:
		return INTENT_GREETING;
	}
}

static void
go(struct ussd_state *st, enum ussd_scr scr)
{
	st->scr = scr;
	st->page = 0;
}

void
ussd_note_at(struct ussd_state *st)
{
	/*
	 * A status screen is told again only for a new number (each telling
	 * may count a miss), and the call-back is asked once: input that
	 * does not fit them leads back to where a note can be shown.
	 */
	if (st->scr == USSD_STATUS)
		go(st, USSD_STATUS_ASK);
	else if (st->scr == USSD_OPERATOR_DONE)
		go(st, USSD_MAIN);
}

static int
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* Items a list screen offers (0: not a list). */
static enum mj_err
items(const struct ussd_ctx *x, const struct ussd_state *st, int *n)
{
	enum mj_err	rc = MJ_OK;

	*n = 0;
	switch (st->scr) {
	case USSD_LANG_FIRST:
	case USSD_LANG:
		*n = LANG__COUNT;
		break;
	case USSD_MAIN:
		*n = MAIN_ITEMS;
		break;
	case USSD_PROGS:
		rc = x->src->count(x->src->arg, USSD_LIST_PROGS, n);
		if (rc == MJ_OK && !st->docs)
			(*n)++;		/* the general check comes first */
		break;
	case USSD_DISTRICTS:
		rc = x->src->count(x->src->arg, USSD_LIST_DISTRICTS, n);
		break;
	case USSD_OPERATOR:
		*n = 1;
		break;
	default:
		break;
	}
	return rc;
}

static int
paged(enum ussd_scr scr)
{
	return scr != USSD_STATUS_ASK && scr != USSD_STATUS &&
	    scr != USSD_QUESTION && scr != USSD_OPERATOR_DONE;
}

/* Answered facts from q on are forgotten (asked again after "0"). */
static void
forget_from(struct ussd_state *st, const enum rules_fact *qs, size_t n,
    size_t from)
{
	for (size_t k = from; k < n; k++) {
		st->a.has[qs[k]] = 0;
		st->a.v[qs[k]] = 0;
		if (qs[k] == FACT_MEMBERS || qs[k] == FACT_INCOME3M) {
			st->a.has[FACT_INCOME_PC] = 0;
			st->a.v[FACT_INCOME_PC] = 0;
		}
	}
}

/* "0": one page back, else the screen above; 0 when there is none. */
static int
back(struct ussd_state *st)
{
	if (paged(st->scr) && st->page > 0) {
		st->page--;
		return 1;
	}
	switch (st->scr) {
	case USSD_LANG:
	case USSD_STATUS_ASK:
	case USSD_PROGS:
	case USSD_DISTRICTS:
	case USSD_OPERATOR:
		go(st, USSD_MAIN);
		return 1;
	case USSD_STATUS:
		go(st, USSD_STATUS_ASK);
		return 1;
	case USSD_VERDICT:
	case USSD_INFO:
	case USSD_DOCS:
		st->docs = st->scr == USSD_DOCS;
		go(st, USSD_PROGS);
		st->page = st->list_page;
		return 1;
	case USSD_OFFICE:
		go(st, USSD_DISTRICTS);
		st->page = st->list_page;
		return 1;
	default:
		return 0;
	}
}

/* Item k (from 0) of a list screen. */
static enum mj_err
choose(const struct ussd_ctx *x, struct ussd_state *st, int k,
    struct ussd_step *out)
{
	enum rules_fact	qs[MAX_Q];
	size_t		n = 0;
	enum mj_err	rc;
	int		was = st->scr == USSD_PROGS ? st->docs : 0;

	switch (st->scr) {
	case USSD_LANG_FIRST:
	case USSD_LANG:
		st->lang = (enum lang)k;	/* listed in enum lang's order */
		out->lang_chosen = 1;
		go(st, USSD_MAIN);
		break;
	case USSD_MAIN: {
		static const enum ussd_scr to[MAIN_ITEMS] = { USSD_STATUS_ASK,
		    USSD_PROGS, USSD_PROGS, USSD_DISTRICTS, USSD_OPERATOR,
		    USSD_LANG };

		go(st, to[k]);
		st->docs = k == 2;
		break;
	}
	case USSD_PROGS:
		st->list_page = st->page;
		if (was) {
			st->item = k;
			go(st, USSD_DOCS);
			break;
		}
		st->item = k - 1;
		if ((rc = x->src->questions(x->src->arg, st->item, qs, MAX_Q,
		    &n)) != MJ_OK)
			return rc;
		memset(&st->a, 0, sizeof(st->a));
		st->q = 0;
		go(st, n > 0 ? USSD_QUESTION : st->item < 0 ? USSD_VERDICT :
		    USSD_INFO);
		break;
	case USSD_DISTRICTS:
		st->list_page = st->page;
		st->item = k;
		go(st, USSD_OFFICE);
		break;
	case USSD_OPERATOR:
		out->operator = 1;
		go(st, USSD_OPERATOR_DONE);
		break;
	default:
		break;
	}
	return MJ_OK;
}

/* An eligibility answer, or "0" for back where 0 is not an answer. */
static enum mj_err
answer(const struct ussd_ctx *x, struct ussd_state *st, const char *s,
    size_t n, struct ussd_step *out)
{
	enum rules_fact	qs[MAX_Q];
	size_t		nq = 0;
	enum rules_fact	f;
	enum mj_err	rc;
	double		v;
	char		num[ANSWER_DIGITS + 1];

	if ((rc = x->src->questions(x->src->arg, st->item, qs, MAX_Q, &nq)) !=
	    MJ_OK)
		return rc;
	if (st->q < 0 || (size_t)st->q >= nq) {
		/* The programme's questions changed under the session. */
		go(st, USSD_VERDICT);
		return MJ_OK;
	}
	f = qs[st->q];
	if (n == 1 && s[0] == '0' && !rules_zero_ok(f)) {
		if (st->q == 0) {
			go(st, USSD_PROGS);
			st->docs = 0;
			st->page = st->list_page;
		} else {
			st->q--;
			forget_from(st, qs, nq, (size_t)st->q);
		}
		return MJ_OK;
	}
	if (n > ANSWER_DIGITS) {
		out->note = USSD_NOTE_NUMBER;
		return MJ_OK;
	}
	memcpy(num, s, n);
	num[n] = '\0';
	v = strtod(num, NULL);
	if (!rules_answer_ok(f, v, &st->a)) {
		out->note = USSD_NOTE_NUMBER;
		return MJ_OK;
	}
	rules_answer_set(&st->a, f, v);
	if ((size_t)++st->q == nq)
		go(st, USSD_VERDICT);
	return MJ_OK;
}

/*
 * An application number in digits, as a keypad writes AR-2025-000001:
 * "2025000001", or the year and the number without its leading zeros
 * ("20251"): 5 to 10 digits.
 */
static int
app_no_of(const char *s, size_t n, char *out, size_t len)
{
	if (n < 5 || n > 10 || len < 15)
		return -1;
	snprintf(out, len, "AR-%.4s-%.*s%.*s", s, (int)(10 - n), "000000",
	    (int)(n - 4), s + 4);
	return 0;
}

/* One input on the state. */
static enum mj_err
apply(const struct ussd_ctx *x, struct ussd_state *st, const char *s,
    size_t n, struct ussd_step *out)
{
	int	count, pages, k;

	out->note = USSD_NOTE_NONE;
	if (n > USSD_INPUT_MAX) {
		out->note = USSD_NOTE_LONG;
		return MJ_OK;
	}
	if (n > 0 && s[n - 1] == '#')	/* some phones send the key */
		n--;
	if (n == 0) {
		out->note = USSD_NOTE_OPTION;
		return MJ_OK;
	}
	if (!all_digits(s, n)) {
		out->note = USSD_NOTE_DIGITS;
		return MJ_OK;
	}
	if (n == 2 && s[0] == '0' && s[1] == '0') {
		if (st->scr != USSD_LANG_FIRST)	/* no home before a language */
			go(st, USSD_MAIN);
		else
			st->page = 0;
		return MJ_OK;
	}
	switch (st->scr) {
	case USSD_QUESTION:
		return answer(x, st, s, n, out);
	case USSD_STATUS_ASK:
	case USSD_STATUS:
		if (n == 1 && s[0] == '0') {
			back(st);
			return MJ_OK;
		}
		if (app_no_of(s, n, st->app_no, sizeof(st->app_no)) == 0)
			go(st, USSD_STATUS);
		else
			out->note = USSD_NOTE_APPNO;
		return MJ_OK;
	case USSD_OPERATOR_DONE:
		out->note = USSD_NOTE_OPTION;
		return MJ_OK;
	default:
		break;
	}
	if (n == 1 && s[0] == '0') {
		if (!back(st))
			out->note = USSD_NOTE_OPTION;
		return MJ_OK;
	}
	if (n == 2 && s[0] == '9' && s[1] == '8') {
		struct ussd_screen	*scr;
		enum mj_err		 rc;

		if ((scr = malloc(sizeof(*scr))) == NULL)
			return MJ_ENOMEM;
		rc = ussd_render(x, st, USSD_NOTE_NONE, scr);
		pages = scr->pages;
		free(scr);
		if (rc != MJ_OK)
			return rc;
		if (st->page + 1 < pages)
			st->page++;
		else
			out->note = USSD_NOTE_OPTION;
		return MJ_OK;
	}
	{
		enum mj_err rc = items(x, st, &count);

		if (rc != MJ_OK)
			return rc;
	}
	k = 0;
	for (size_t i = 0; i < n && n <= 4; i++)	/* digits, checked above */
		k = k * 10 + (s[i] - '0');
	if (k < 1 || k > count) {
		out->note = USSD_NOTE_OPTION;
		return MJ_OK;
	}
	return choose(x, st, k - 1, out);
}

enum mj_err
ussd_advance(const struct ussd_ctx *x, struct ussd_state *st,
    const char *text, size_t len, struct ussd_step *out)
{
	struct ussd_state	 was = *st;
	const char		*p = text, *end = text + len;
	enum mj_err		 rc = MJ_OK;
	int			 n = 1;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < len; i++)
		n += text[i] == '*';
	if (n > USSD_INPUTS_MAX) {
		out->note = USSD_NOTE_LONG;
		ussd_note_at(st);
		out->intent = topic(st);
		return MJ_OK;
	}
	for (;;) {
		const char	*star = memchr(p, '*', (size_t)(end - p));
		const char	*e = star != NULL ? star : end;
		int		 chosen = out->lang_chosen, asked = out->operator;

		if ((rc = apply(x, st, p, (size_t)(e - p), out)) != MJ_OK)
			break;
		out->lang_chosen |= chosen;
		out->operator |= asked;
		out->inputs++;
		if (star == NULL)
			break;
		p = star + 1;
	}
	if (rc != MJ_OK) {
		*st = was;
		memset(out, 0, sizeof(*out));
		return rc;
	}
	if (out->note != USSD_NOTE_NONE)
		ussd_note_at(st);
	out->intent = topic(st);
	return MJ_OK;
}

int
ussd_save(const struct ussd_state *st, char *buf, size_t len)
{
	size_t	o;

	o = (size_t)snprintf(buf, len, "s=%d;l=%d;d=%d;g=%d;k=%d;i=%d;q=%d;"
	    "n=%s;a=", (int)st->scr, (int)st->lang, st->docs, st->page,
	    st->list_page, st->item, st->q, st->app_no);
	for (int f = 0; f < FACT__ASKED && o < len; f++)
		if (st->a.has[f])
			o += (size_t)snprintf(buf + o, len - o, "%s%d:%.0f",
			    buf[o - 1] == '=' ? "" : ",", f, st->a.v[f]);
	return o < len ? 0 : -1;
}

/* A whole number in [lo, hi] from s, or -1 (and *ok 0). */
static int
int_in(const char *s, int lo, int hi, int *ok)
{
	char	*e;
	long	 v = strtol(s, &e, 10);

	if (e == s || *e != '\0' || v < lo || v > hi) {
		*ok = 0;
		return lo;
	}
	return (int)v;
}

int
ussd_load(struct ussd_state *st, const char *s)
{
	char	buf[512], *part, *save = NULL;
	int	ok = 1, seen = 0;

	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	memset(st, 0, sizeof(*st));
	for (part = strtok_r(buf, ";", &save); part != NULL && ok;
	    part = strtok_r(NULL, ";", &save)) {
		char	*v = part + 2, *item, *s2 = NULL;

		if (strlen(part) < 2 || part[1] != '=')
			return -1;
		seen++;
		switch (part[0]) {
		case 's':
			st->scr = (enum ussd_scr)int_in(v, 0,
			    USSD__SCR_COUNT - 1, &ok);
			break;
		case 'l':
			st->lang = (enum lang)int_in(v, 0, LANG__COUNT - 1,
			    &ok);
			break;
		case 'd':
			st->docs = int_in(v, 0, 1, &ok);
			break;
		case 'g':
			st->page = int_in(v, 0, 1000, &ok);
			break;
		case 'k':
			st->list_page = int_in(v, 0, 1000, &ok);
			break;
		case 'i':
			st->item = int_in(v, -1, 10000, &ok);
			break;
		case 'q':
			st->q = int_in(v, 0, MAX_Q, &ok);
			break;
		case 'n':
			if (strlen(v) >= sizeof(st->app_no) ||
			    strspn(v, "AR-0123456789") != strlen(v))
				return -1;
			snprintf(st->app_no, sizeof(st->app_no), "%s", v);
			break;
		case 'a':
			for (item = strtok_r(v, ",", &s2); item != NULL && ok;
			    item = strtok_r(NULL, ",", &s2)) {
				char	*colon = strchr(item, ':'), *e;
				double	 x;
				int	 f;

				if (colon == NULL)
					return -1;
				*colon = '\0';
				f = int_in(item, 0, FACT__ASKED - 1, &ok);
				x = strtod(colon + 1, &e);
				if (!ok || *e != '\0' || !isfinite(x))
					return -1;
				rules_answer_set(&st->a, (enum rules_fact)f, x);
			}
			break;
		default:
			return -1;
		}
	}
	return ok && seen == 9 ? 0 : -1;
}

void
ussd_request_id(const char *provider, const char *session, const char *phone,
    const char *text, size_t len, char *buf, size_t buflen)
{
	crypto_generichash_state	gs;
	unsigned char			h[8];
	char				hex[17];

	crypto_generichash_init(&gs, NULL, 0, sizeof(h));
	crypto_generichash_update(&gs, (const unsigned char *)phone,
	    strlen(phone) + 1);
	crypto_generichash_update(&gs, (const unsigned char *)text, len);
	crypto_generichash_final(&gs, h, sizeof(h));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(buf, buflen, "%s/%s/%s", provider, session, hex);
}
