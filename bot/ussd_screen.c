/*
 * ussd_screen.c - the USSD screens (ussd.h): a state's text from the
 * catalogues and the source, made SMS-ready (sms_prepare), measured and
 * paged so that every page fits one USSD page.
 *
 * A screen is lines: a head (the note, else the title), the items of a
 * list or a part of a text, and the navigation ("98 More 0 Back 00 Home").
 * A note takes the title's place: after a wrong key the note matters
 * more, and a Cyrillic page (80 characters) has no room for both.  Pages
 * are laid out from the first, each taking as many items or words as fit
 * beside the longer of the title and the longest note, so page k is the
 * same with a note or without, whichever page the citizen came from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "bot/ussd.h"
#include "locales/sms.h"

#define MAX_PARTS	256	/* items of a list, words of a text */
#define BUILD_MAX	4096	/* bytes of a candidate page */

static const char *const note_ids[USSD__NOTE_COUNT] = {
	[USSD_NOTE_OPTION] = "ussd.note.option",
	[USSD_NOTE_DIGITS] = "ussd.note.digits",
	[USSD_NOTE_LONG] = "ussd.note.long",
	[USSD_NOTE_PATH] = "ussd.note.path",
	[USSD_NOTE_NUMBER] = "ussd.note.number",
	[USSD_NOTE_APPNO] = "ussd.note.appno",
};

/* A screen in parts, each SMS-prepared and malloc'd. */
struct parts {
	char		*note;		/* shown above, or NULL */
	char		*reserve;	/* the longer of the title and the
					 * longest note: the room kept */
	char		*title;		/* shown above without a note */
	char		*part[MAX_PARTS];	/* list items ("2 Hujjatlar") */
	size_t		 nparts;
	char		*body;		/* a text, split into words (word) */
	const char	*word[MAX_PARTS];
	size_t		 wlen[MAX_PARTS], nwords;
	char		*more, *back, *home;
	int		 has_back, has_home;
};

static void
parts_free(struct parts *p)
{
	free(p->note);
	free(p->reserve);
	free(p->title);
	for (size_t i = 0; i < p->nparts; i++)
		free(p->part[i]);
	free(p->body);
	free(p->more);
	free(p->back);
	free(p->home);
}

int
ussd_fits(const char *text, size_t len, size_t *units, int *gsm7)
{
	struct sms_info	 si;
	char		*ready = NULL;
	int		 ok;

	if (sms_prepare(text, len, &ready) != MJ_OK)
		return 0;
	sms_measure(ready, strlen(ready), &si);
	free(ready);
	ok = si.coding == SMS_GSM7 ? si.units <= USSD_PAGE_GSM7 :
	    si.units <= USSD_PAGE_UCS2;
	if (units != NULL)
		*units = si.units;
	if (gsm7 != NULL)
		*gsm7 = si.coding == SMS_GSM7;
	return ok;
}

/* An already prepared text on one page. */
static int
fits_ready(const char *s)
{
	struct sms_info	si;

	sms_measure(s, strlen(s), &si);
	return si.coding == SMS_GSM7 ? si.units <= USSD_PAGE_GSM7 :
	    si.units <= USSD_PAGE_UCS2;
}

/* Text prepared for sending into *out (malloc'd). */
static enum mj_err
ready(const char *text, char **out)
{
	return sms_prepare(text, strlen(text), out);
}

/* A catalogue entry in lang with args, prepared, into *out. */
static enum mj_err
say(const struct ussd_ctx *x, enum lang lang, const char *id,
    const struct msg_arg *args, size_t nargs, char **out)
{
	char		*text = NULL;
	enum mj_err	 rc;

	*out = NULL;
	if ((rc = catalog_render(x->cat, lang, id, args, nargs, &text)) !=
	    MJ_OK) {
		log_err("ussd.render", "msgid=%s lang=%s err=\"%s\"", id,
		    lang_tag(lang), mj_strerror(rc));
		return rc;
	}
	rc = ready(text, out);
	free(text);
	return rc;
}

/* "N label" as a list item. */
static enum mj_err
item(struct parts *p, int n, const char *label)
{
	char	buf[320];

	if (p->nparts == MAX_PARTS)
		return MJ_OK;	/* no list is this long; the rest is cut */
	snprintf(buf, sizeof(buf), "%d %s", n, label);
	return ready(buf, &p->part[p->nparts++]);
}

static enum mj_err
item_id(const struct ussd_ctx *x, struct parts *p, enum lang lang, int n,
    const char *id)
{
	char		*label;
	enum mj_err	 rc;

	if ((rc = say(x, lang, id, NULL, 0, &label)) != MJ_OK)
		return rc;
	rc = item(p, n, label);
	free(label);
	return rc;
}

/*
 * The longest note in lang, or the title if longer (by what each costs):
 * the head's room kept on every page.
 */
static enum mj_err
longest_head(const struct ussd_ctx *x, enum lang lang, const char *title,
    char **out)
{
	size_t	best = 0;

	*out = NULL;
	if (title != NULL) {
		struct sms_info si;

		if ((*out = strdup(title)) == NULL)
			return MJ_ENOMEM;
		sms_measure(title, strlen(title), &si);
		best = si.units;
	}
	for (int i = 1; i < USSD__NOTE_COUNT; i++) {
		struct sms_info	 si;
		char		*s;
		enum mj_err	 rc;

		if ((rc = say(x, lang, note_ids[i], NULL, 0, &s)) != MJ_OK) {
			free(*out);
			*out = NULL;
			return rc;
		}
		sms_measure(s, strlen(s), &si);
		if (*out == NULL || si.units > best) {
			free(*out);
			*out = s;
			best = si.units;
		} else
			free(s);
	}
	return MJ_OK;
}

/* Append s (and a line break before it unless first) to b. */
static int
line(char *b, size_t *o, const char *s)
{
	size_t	n = strlen(s);

	if (*o + n + 2 > BUILD_MAX)
		return -1;
	if (*o > 0)
		b[(*o)++] = '\n';
	memcpy(b + *o, s, n);
	*o += n;
	b[*o] = '\0';
	return 0;
}

/*
 * Page page of p with items or words [s, e) into b: head (the note or the
 * title, or the room kept for them) first, the navigation last.  -1 when
 * it would not even fit the buffer.
 */
static int
assemble(const struct parts *p, const char *head, int page, size_t s,
    size_t e, int more, char *b)
{
	char	nav[160];
	size_t	o = 0;

	b[0] = '\0';
	if (head != NULL && line(b, &o, head) == -1)
		return -1;
	if (p->body == NULL) {
		for (size_t i = s; i < e; i++)
			if (line(b, &o, p->part[i]) == -1)
				return -1;
	} else if (e > s) {
		if (o > 0)
			b[o++] = '\n';
		for (size_t i = s; i < e; i++) {
			if (o + p->wlen[i] + 2 > BUILD_MAX)
				return -1;
			if (i > s)
				b[o++] = ' ';
			memcpy(b + o, p->word[i], p->wlen[i]);
			o += p->wlen[i];
		}
		b[o] = '\0';
	}
	snprintf(nav, sizeof(nav), "%s%s%s%s%s", more ? p->more : "",
	    more && (p->has_back || page > 0 || p->has_home) ? " " : "",
	    p->has_back || page > 0 ? p->back : "",
	    (p->has_back || page > 0) && p->has_home ? " " : "",
	    p->has_home ? p->home : "");
	if (nav[0] != '\0' && line(b, &o, nav) == -1)
		return -1;
	return 0;
}

/*
 * Lay out the pages from the first; the range of page want (the last
 * page if there are fewer) into *ws, *we.  Returns the number of pages;
 * *fits becomes 0 if one item or word alone is too long for a page.
 */
static int
layout(const struct parts *p, char *b, int *want, size_t *ws, size_t *we,
    int *fits)
{
	size_t	n = p->body != NULL ? p->nwords : p->nparts, s = 0;
	int	page = 0;

	*ws = *we = 0;
	if (n == 0)
		return 1;
	while (s < n) {
		size_t	best = 0;

		for (size_t e = s + 1; e <= n; e++) {
			if (assemble(p, p->reserve, page, s, e, e < n, b) ==
			    0 && fits_ready(b)) {
				best = e;
				continue;
			}
			/* Longer will not fit with "98"; the rest might
			 * without it. */
			if (e < n && assemble(p, p->reserve, page, s, n, 0,
			    b) == 0 && fits_ready(b))
				best = n;
			break;
		}
		if (best == 0) {
			best = s + 1;
			*fits = 0;
		}
		if (page <= *want) {
			*ws = s;
			*we = best;
		}
		s = best;
		page++;
	}
	if (*want >= page)
		*want = page - 1;
	return page;
}

/* The words of p->body, split at spaces. */
static void
split_words(struct parts *p)
{
	const char	*s = p->body;

	p->nwords = 0;
	while (*s != '\0') {
		size_t	k;

		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		k = strcspn(s, " ");
		if (p->nwords == MAX_PARTS) {
			/* keep the rest as one last word (no text is this
			 * long; the page shows what fits) */
			p->wlen[p->nwords - 1] = strlen(p->word[p->nwords - 1]);
			break;
		}
		p->word[p->nwords] = s;
		p->wlen[p->nwords++] = k;
		s += k;
	}
}

/* "YYYY-MM-DD" as ussd.date writes it; "-" when there is none. */
static void
date_of(const struct ussd_ctx *x, enum lang lang, const char *ymd, char *buf,
    size_t len)
{
	char	d[3], m[3], y[5], *s = NULL;

	snprintf(buf, len, "-");
	if (strlen(ymd) != 10 || ymd[4] != '-' || ymd[7] != '-')
		return;
	snprintf(y, sizeof(y), "%.4s", ymd);
	snprintf(m, sizeof(m), "%.2s", ymd + 5);
	snprintf(d, sizeof(d), "%.2s", ymd + 8);
	{
		struct msg_arg	args[] = { { "day", d }, { "month", m },
				    { "year", y } };

		if (catalog_render(x->cat, lang, "ussd.date", args, 3, &s) ==
		    MJ_OK)
			snprintf(buf, len, "%s", s);
	}
	free(s);
}

/* The status screen's text: the privacy rule is the source's. */
static enum mj_err
status_text(const struct ussd_ctx *x, const struct ussd_state *st,
    struct parts *p, char *app_no, size_t app_len)
{
	struct app_status	app;
	enum ussd_found		found = USSD_NOT_FOUND;
	enum mj_err		rc;
	char			id[48], sub[24], dec[24], pay[24];

	memset(&app, 0, sizeof(app));
	if ((rc = x->src->status(x->src->arg, st->app_no, &found, &app)) !=
	    MJ_OK)
		return rc;
	snprintf(app_no, app_len, "%s", st->app_no);
	if (found == USSD_TOO_MANY)
		return say(x, st->lang, "ussd.status.too_many", NULL, 0,
		    &p->body);
	if (found == USSD_NOT_FOUND) {
		struct msg_arg a = { "app_no", st->app_no };

		return say(x, st->lang, "ussd.status.not_found", &a, 1,
		    &p->body);
	}
	date_of(x, st->lang, app.submitted, sub, sizeof(sub));
	date_of(x, st->lang, app.decided, dec, sizeof(dec));
	date_of(x, st->lang, app.payment, pay, sizeof(pay));
	snprintf(id, sizeof(id), "ussd.status.%s", app.status);
	{
		struct msg_arg	args[] = { { "app_no", app.number },
				    { "submitted", sub }, { "decided", dec },
				    { "payment", pay } };

		return say(x, st->lang, id, args, 4, &p->body);
	}
}

/* The parts of the state's screen (the note aside). */
static enum mj_err
parts_of(const struct ussd_ctx *x, const struct ussd_state *st,
    struct parts *p, struct ussd_screen *out)
{
	static const char *const main_ids[] = { "ussd.menu.status",
	    "ussd.menu.elig", "ussd.menu.docs", "ussd.menu.office",
	    "ussd.menu.operator", "ussd.menu.lang" };
	enum lang	 l = st->lang;
	enum mj_err	 rc = MJ_OK;
	char		 name[USSD_NAME_MAX];
	char		*text;
	int		 n = 0;

	p->has_home = st->scr != USSD_MAIN && st->scr != USSD_LANG_FIRST &&
	    st->scr != USSD_OPERATOR_DONE;
	p->has_back = st->scr != USSD_MAIN && st->scr != USSD_LANG_FIRST &&
	    st->scr != USSD_OPERATOR_DONE;
	switch (st->scr) {
	case USSD_LANG_FIRST:
	case USSD_LANG:
		/* Each language named in itself. */
		for (int k = 0; k < LANG__COUNT && rc == MJ_OK; k++) {
			char *s;

			if ((rc = say(x, (enum lang)k, "language.name", NULL,
			    0, &s)) == MJ_OK) {
				rc = item(p, k + 1, s);
				free(s);
			}
		}
		return rc;
	case USSD_MAIN:
		for (int k = 0; k < 6 && rc == MJ_OK; k++)
			rc = item_id(x, p, l, k + 1, main_ids[k]);
		return rc;
	case USSD_PROGS:
		if ((rc = say(x, l, st->docs ? "ussd.docs.title" :
		    "ussd.elig.title", NULL, 0, &p->title)) != MJ_OK ||
		    (!st->docs && (rc = item_id(x, p, l, 1,
		    "ussd.elig.any")) != MJ_OK) ||
		    (rc = x->src->count(x->src->arg, USSD_LIST_PROGS, &n)) !=
		    MJ_OK)
			return rc;
		for (int k = 0; k < n && rc == MJ_OK; k++)
			if ((rc = x->src->name(x->src->arg, USSD_LIST_PROGS, k,
			    l, name, sizeof(name))) == MJ_OK)
				rc = item(p, k + (st->docs ? 1 : 2), name);
		return rc;
	case USSD_DISTRICTS:
		if ((rc = say(x, l, "ussd.office.title", NULL, 0,
		    &p->title)) != MJ_OK ||
		    (rc = x->src->count(x->src->arg, USSD_LIST_DISTRICTS,
		    &n)) != MJ_OK)
			return rc;
		for (int k = 0; k < n && rc == MJ_OK; k++)
			if ((rc = x->src->name(x->src->arg, USSD_LIST_DISTRICTS,
			    k, l, name, sizeof(name))) == MJ_OK)
				rc = item(p, k + 1, name);
		return rc;
	case USSD_OPERATOR:
		if ((rc = say(x, l, "ussd.operator.ask", NULL, 0,
		    &p->title)) != MJ_OK)
			return rc;
		return item_id(x, p, l, 1, "ussd.operator.confirm");
	case USSD_OPERATOR_DONE:
		out->end = 1;
		return say(x, l, "ussd.operator.done", NULL, 0, &p->body);
	case USSD_STATUS_ASK:
		return say(x, l, "ussd.status.ask", NULL, 0, &p->body);
	case USSD_STATUS:
		return status_text(x, st, p, out->app_no, sizeof(out->app_no));
	case USSD_QUESTION: {
		enum rules_fact	qs[8];
		size_t		nq = 0;
		char		id[48];

		if ((rc = x->src->questions(x->src->arg, st->item, qs, 8,
		    &nq)) != MJ_OK)
			return rc;
		if (st->q >= 0 && (size_t)st->q < nq) {
			snprintf(id, sizeof(id), "ussd.q.%s",
			    rules_fact_name(qs[st->q]));
			p->has_back = !rules_zero_ok(qs[st->q]);
			return say(x, l, id, NULL, 0, &p->body);
		}
		/* The questions changed under the session: the verdict. */
	}
		/* FALLTHROUGH */
	default: {
		enum ussd_text	kind = st->scr == USSD_INFO ? USSD_TEXT_INFO :
				    st->scr == USSD_DOCS ? USSD_TEXT_DOCS :
				    st->scr == USSD_OFFICE ? USSD_TEXT_OFFICE :
				    USSD_TEXT_VERDICT;

		if ((text = malloc(USSD_DATA_MAX)) == NULL)
			return MJ_ENOMEM;
		if ((rc = x->src->text(x->src->arg, kind, st->item, l,
		    &st->a, text, USSD_DATA_MAX)) == MJ_OK)
			rc = ready(text, &p->body);
		free(text);
		return rc;
	}
	}
}

enum mj_err
ussd_render(const struct ussd_ctx *x, const struct ussd_state *st,
    enum ussd_note note, struct ussd_screen *out)
{
	struct parts	 p;
	enum mj_err	 rc;
	char		*b = NULL;
	size_t		 ws, we;
	int		 page = st->page, fixed;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	out->fits = 1;
	fixed = st->scr == USSD_STATUS_ASK || st->scr == USSD_STATUS ||
	    st->scr == USSD_QUESTION || st->scr == USSD_OPERATOR_DONE;
	if ((rc = parts_of(x, st, &p, out)) != MJ_OK ||
	    (note > USSD_NOTE_NONE && note < USSD__NOTE_COUNT &&
	    (rc = say(x, st->lang, note_ids[note], NULL, 0, &p.note)) !=
	    MJ_OK) ||
	    (rc = say(x, st->lang, "ussd.nav.more", NULL, 0, &p.more)) !=
	    MJ_OK ||
	    (rc = say(x, st->lang, "ussd.nav.back", NULL, 0, &p.back)) !=
	    MJ_OK ||
	    (rc = say(x, st->lang, "ussd.nav.home", NULL, 0, &p.home)) !=
	    MJ_OK || (!fixed && (rc = longest_head(x, st->lang, p.title,
	    &p.reserve)) != MJ_OK))
		goto out;
	if ((b = malloc(BUILD_MAX)) == NULL) {
		rc = MJ_ENOMEM;
		goto out;
	}
	if (p.body != NULL)
		split_words(&p);
	if (fixed) {
		/* One page, whatever it takes; ussd-cost says if too much. */
		out->pages = 1;
		page = 0;
		ws = 0;
		we = p.body != NULL ? p.nwords : p.nparts;
	} else
		out->pages = layout(&p, b, &page, &ws, &we, &out->fits);
	if (assemble(&p, p.note != NULL ? p.note : p.title, page, ws, we,
	    page + 1 < out->pages, b) !=
	    0 || strlen(b) >= sizeof(out->text)) {
		out->fits = 0;
		b[sizeof(out->text) - 1] = '\0';	/* never shown: too long */
	}
	if (!fits_ready(b))
		out->fits = 0;
	snprintf(out->text, sizeof(out->text), "%s", b);
out:
	free(b);
	parts_free(&p);
	return rc;
}
