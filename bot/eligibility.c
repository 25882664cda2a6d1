/*
 * eligibility.c - the eligibility topic: "am I eligible" as a short
 * dialogue, documents per programme, and the nearest Inson centre.
 *
 * The dialogue asks the programme's questions one at a time (its "ask"
 * list in the store), reads each answer from the number the NLU found
 * ("5", "besh", "пять", "3 mln", "2 500 000"), asks again once when it
 * cannot read one or the answer cannot be right (saying what is wrong:
 * more children than family members, an age over 120; no income at all is
 * asked about once, then believed) and then gives up, and gives the
 * verdict as soon as every programme in question has failed a criterion
 * or every question is answered.  Any other question leaves it (bot.c
 * answers those and clears the state); so does "menu", and a bare "0"
 * where 0 is not an answer.  An answer after eligibility.idle_timeout is
 * not taken: the citizen is told the check expired.
 *
 * State: contact.state "elig" (asking) or "elig.office" (asked for a
 * district); contact.state_data "p=CODE|*;q=F1,F2;i=N;r=0|1;a=F:V,F:V"
 * (programme or the general check, questions, the next one, whether it was
 * asked again, the answers so far).  Replies made of several catalogue
 * parts (elig_text.h) go out as the answer's verbatim text, held in
 * state_data until bot.c renders them and clears the state.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "bot/dialogue.h"
#include "bot/elig_text.h"
#include "bot/rules.h"
#include "bot/rules_data.h"
#include "intents/fold.h"
#include "store/programmes.h"

#define ST_ASK		"elig"
#define ST_OFFICE	"elig.office"
#define MAX_Q		8
#define MAX_PROGS	8

struct dlg {
	char			prog[24];	/* a code, or "*": the general check */
	enum rules_fact		q[MAX_Q];
	size_t			nq;
	size_t			i;		/* the question waiting */
	int			retried;
	struct rules_answers	a;
};

static void
dlg_save(struct turn *t, const struct dlg *d)
{
	char	*s = t->c->state_data;
	size_t	 len = sizeof(t->c->state_data), o;

	snprintf(t->c->state, sizeof(t->c->state), "%s", ST_ASK);
	t->c->state_at = t->in->now;
	o = (size_t)snprintf(s, len, "p=%s;q=", d->prog);
	for (size_t k = 0; k < d->nq && o < len; k++)
		o += (size_t)snprintf(s + o, len - o, "%s%s", k > 0 ? "," : "",
		    rules_fact_name(d->q[k]));
	if (o < len)
		o += (size_t)snprintf(s + o, len - o, ";i=%zu;r=%d;a=", d->i,
		    d->retried);
	for (int f = 0; f < FACT__ASKED && o < len; f++)
		if (d->a.has[f])
			o += (size_t)snprintf(s + o, len - o, "%s:%.0f,",
			    rules_fact_name((enum rules_fact)f), d->a.v[f]);
}

/* Read state_data back; 0 when it is not a dialogue's. */
static int
dlg_load(const struct turn *t, struct dlg *d)
{
	char	buf[sizeof(t->c->state_data)], *part, *save = NULL;

	memset(d, 0, sizeof(*d));
	snprintf(buf, sizeof(buf), "%s", t->c->state_data);
	for (part = strtok_r(buf, ";", &save); part != NULL;
	    part = strtok_r(NULL, ";", &save)) {
		char *v = part + 2, *s2 = NULL, *item;

		if (strlen(part) < 2 || part[1] != '=')
			continue;
		switch (part[0]) {
		case 'p':
			snprintf(d->prog, sizeof(d->prog), "%s", v);
			break;
		case 'q':
			for (item = strtok_r(v, ",", &s2); item != NULL &&
			    d->nq < MAX_Q; item = strtok_r(NULL, ",", &s2)) {
				int f = rules_fact_from_name(item);

				if (f >= 0 && f < FACT__ASKED)
					d->q[d->nq++] = (enum rules_fact)f;
			}
			break;
		case 'i':
			d->i = (size_t)strtoul(v, NULL, 10);
			break;
		case 'r':
			d->retried = v[0] == '1';
			break;
		case 'a':
			for (item = strtok_r(v, ",", &s2); item != NULL;
			    item = strtok_r(NULL, ",", &s2)) {
				char	*colon = strchr(item, ':');
				int	 f;

				if (colon == NULL)
					continue;
				*colon = '\0';
				if ((f = rules_fact_from_name(item)) >= 0 &&
				    f < FACT__ASKED)
					rules_answer_set(&d->a,
					    (enum rules_fact)f,
					    strtod(colon + 1, NULL));
			}
			break;
		}
	}
	return d->prog[0] != '\0' && d->nq > 0 && d->i < d->nq;
}

/* Append the facts of ask ("a;b;c") not yet in d->q. */
static void
add_questions(struct dlg *d, const char *ask)
{
	char	buf[160], *f, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", ask);
	for (f = strtok_r(buf, ";", &save); f != NULL && d->nq < MAX_Q;
	    f = strtok_r(NULL, ";", &save)) {
		int	 fact = rules_fact_from_name(f), seen = 0;

		if (fact < 0 || fact >= FACT__ASKED)
			continue;
		for (size_t k = 0; k < d->nq; k++)
			seen |= d->q[k] == (enum rules_fact)fact;
		if (!seen)
			d->q[d->nq++] = (enum rules_fact)fact;
	}
}

/* Send text (a composed reply) as the answer; the state is cleared. */
static void
say_text(struct turn *t, const char *text)
{
	turn_state(t, "");
	snprintf(t->c->state_data, sizeof(t->c->state_data), "%s", text);
	t->a->verbatim = t->c->state_data;
}

static void
say_fact(struct turn *t, const char *prefix, enum rules_fact f,
    const char *programme)
{
	char	id[48];

	snprintf(id, sizeof(id), "%s.%s", prefix, rules_fact_name(f));
	if (!catalog_has(bot_catalog(t->b), id))
		snprintf(id, sizeof(id), "elig.q.%s", rules_fact_name(f));
	answer_say(t->a, id);
	if (programme != NULL)
		answer_arg(t->a, "programme", programme);
}

/* An answer as the re-ask quotes it: "0", "41", "2.5". */
static void
arg_number(struct turn *t, const char *name, double v)
{
	char	buf[32];

	snprintf(buf, sizeof(buf), "%.6g", v);
	answer_arg(t->a, name, buf);
}

/*
 * Ask fact f again, saying what was wrong with v: "elig.bad.FACT.DOUBT"
 * ({value}: the answer; {limit}: the earlier answer it contradicts), else
 * "elig.bad.FACT", else (unreadable, or no text for it) "elig.again.FACT".
 */
static void
ask_again(struct turn *t, enum rules_fact f, enum rules_doubt doubt,
    double v, const struct rules_answers *a)
{
	const struct catalog	*cat = bot_catalog(t->b);
	char			 id[48];
	enum rules_fact		 other = f == FACT_CHILDREN ? FACT_MEMBERS :
				    FACT_CHILDREN;

	snprintf(id, sizeof(id), "elig.bad.%s.%s", rules_fact_name(f),
	    rules_doubt_name(doubt));
	if (isnan(v) || !catalog_has(cat, id))
		snprintf(id, sizeof(id), "elig.bad.%s", rules_fact_name(f));
	if (isnan(v) || !catalog_has(cat, id)) {
		say_fact(t, "elig.again", f, NULL);
		return;
	}
	answer_say(t->a, id);
	arg_number(t, "value", v);
	if (doubt == DOUBT_OTHER && a->has[other])
		arg_number(t, "limit", a->v[other]);
}

/* The codes a dialogue is about, ';'-separated. */
static enum mj_err
codes_of(struct turn *t, const struct dlg *d, char *buf, size_t len)
{
	if (strcmp(d->prog, "*") == 0)
		return store_rules_general(bot_store(t->b), buf, len);
	snprintf(buf, len, "%s", d->prog);
	return MJ_OK;
}

/* The best verdict over the programmes of codes (';'-separated). */
struct best {
	struct prog_def		p[2];		/* [1]: the best so far */
	struct rules_crit	crit[RULES_MAX_CRIT];
	struct rules_outcome	o;
	int			n;		/* programmes evaluated */
	int			all_no;
};

static enum mj_err
best_of(struct store *st, char *codes, const struct rules_answers *a,
    struct best *b)
{
	struct rules_crit	 crit[RULES_MAX_CRIT];
	struct rules_outcome	 o;
	char			*code, *save = NULL;
	size_t			 ncrit;
	enum mj_err		 rc;

	memset(&b->o, 0, sizeof(b->o));
	b->n = 0;
	b->all_no = 1;
	for (code = strtok_r(codes, ";", &save); code != NULL;
	    code = strtok_r(NULL, ";", &save)) {
		if ((rc = store_rules_get(st, code, &b->p[0])) ==
		    MJ_ENOTFOUND)
			continue;
		if (rc != MJ_OK || (rc = rules_resolve(st, &b->p[0], crit,
		    &ncrit, NULL, 0)) != MJ_OK) {
			log_err("elig.rules", "programme=%s err=\"%s\"", code,
			    mj_strerror(rc));
			return rc;
		}
		rules_evaluate(crit, ncrit, &b->p[0].amount, a, &o);
		b->all_no &= o.verdict == VERDICT_NO;
		if (b->n++ == 0 || o.verdict > b->o.verdict) {
			b->p[1] = b->p[0];
			b->o = o;
			memcpy(b->crit, crit, sizeof(crit));
		}
	}
	return MJ_OK;
}

enum mj_err
eligibility_verdict(struct bot *bot, enum lang lang, const char *code,
    const struct rules_answers *a, char *text, size_t len)
{
	struct best	*b;
	char		 codes[512];
	enum mj_err	 rc;
	char		*s = NULL;

	if (strcmp(code, "*") == 0) {
		if ((rc = store_rules_general(bot_store(bot), codes,
		    sizeof(codes))) != MJ_OK)
			return rc;
	} else
		snprintf(codes, sizeof(codes), "%s", code);
	if ((b = malloc(sizeof(*b))) == NULL)
		return MJ_ENOMEM;
	if ((rc = best_of(bot_store(bot), codes, a, b)) == MJ_OK) {
		if (b->n > 0)
			rc = elig_verdict(bot_catalog(bot), lang, &b->p[1],
			    b->crit, &b->o, a, text, len);
		else if ((rc = catalog_render(bot_catalog(bot), lang,
		    "eligibility.general", NULL, 0, &s)) == MJ_OK)
			snprintf(text, len, "%s", s);
	}
	free(s);
	free(b);
	return rc;
}

/*
 * Evaluate every programme of the dialogue; with final set, or when all
 * have already failed, answer the best verdict (likely yes first, then
 * cannot tell, then no, in the data's order).  *done says it was given.
 */
static enum mj_err
verdict(struct turn *t, const struct dlg *d, int final, int *given)
{
	struct best	*b;
	char		 codes[512], text[ELIG_TEXT_MAX];
	enum mj_err	 rc;

	*given = 0;
	if ((rc = codes_of(t, d, codes, sizeof(codes))) != MJ_OK)
		return rc;
	if ((b = malloc(sizeof(*b))) == NULL)
		return MJ_ENOMEM;
	if ((rc = best_of(bot_store(t->b), codes, &d->a, b)) != MJ_OK)
		goto out;
	if (b->n == 0) {
		/* The data went away mid-dialogue. */
		turn_state(t, "");
		answer_say(t->a, "eligibility.general");
		*given = 1;
		goto out;
	}
	if (!final && !b->all_no)
		goto out;
	if ((rc = elig_verdict(bot_catalog(t->b), *t->lang, &b->p[1], b->crit,
	    &b->o, &d->a, text, sizeof(text))) != MJ_OK) {
		log_err("elig.verdict", "programme=%s err=\"%s\"", b->p[1].code,
		    mj_strerror(rc));
		goto out;
	}
	log_info("elig.verdict", "programme=%s verdict=%d asked=%zu",
	    b->p[1].code, (int)b->o.verdict, d->i);
	say_text(t, text);
	*given = 1;
out:
	free(b);
	return rc;
}

/* Start the dialogue on code ("" or unknown: the general check). */
static enum mj_err
start(struct turn *t, const char *code)
{
	struct store	*st = bot_store(t->b);
	struct prog_def	*p;
	struct dlg	 d;
	char		 codes[512], *c, *save = NULL, text[ELIG_TEXT_MAX];
	enum mj_err	 rc = MJ_ENOTFOUND;

	if ((p = malloc(sizeof(*p))) == NULL)
		return MJ_ENOMEM;
	memset(&d, 0, sizeof(d));
	if (code[0] != '\0' && (rc = store_rules_get(st, code, p)) == MJ_OK) {
		if (p->ask[0] == '\0' || p->ncrit == 0) {
			/* Nothing to ask: who is eligible, where to apply. */
			if ((rc = elig_info(bot_catalog(t->b), *t->lang, p, text,
			    sizeof(text))) == MJ_OK)
				say_text(t, text);
			goto out;
		}
		snprintf(d.prog, sizeof(d.prog), "%s", p->code);
		add_questions(&d, p->ask);
		dlg_save(t, &d);
		say_fact(t, "elig.start", d.q[0],
		    elig_prog_text(p, *t->lang, PF_NAME));
		rc = MJ_OK;
		goto out;
	}
	if (rc != MJ_ENOTFOUND)
		goto out;
	if ((rc = store_rules_general(st, codes, sizeof(codes))) != MJ_OK)
		goto out;
	snprintf(d.prog, sizeof(d.prog), "*");
	for (c = strtok_r(codes, ";", &save); c != NULL;
	    c = strtok_r(NULL, ";", &save))
		if (store_rules_get(st, c, p) == MJ_OK)
			add_questions(&d, p->ask);
	if (d.nq == 0) {
		turn_state(t, "");
		answer_say(t->a, "eligibility.general");
		goto out;
	}
	dlg_save(t, &d);
	say_fact(t, "elig.general", d.q[0], NULL);
out:
	free(p);
	return rc;
}

/* The message is exactly "0" (blanks and a full stop aside). */
static int
bare_zero(const char *s, size_t len)
{
	size_t	i = 0;

	while (len > 0 && strchr(" \t\r\n.", s[len - 1]) != NULL)
		len--;
	while (i < len && strchr(" \t\r\n", s[i]) != NULL)
		i++;
	return len - i == 1 && s[i] == '0';
}

static enum mj_err
answer(struct turn *t)
{
	struct dlg	d;
	enum rules_fact	f;
	double		v = NAN;
	enum rules_doubt doubt = DOUBT_LOW;	/* no number: unreadable */
	int		given;
	enum mj_err	rc;

	if (!dlg_load(t, &d)) {
		turn_state(t, "");
		answer_say(t->a, "unknown");
		return MJ_OK;
	}
	f = d.q[d.i];
	/* A number (or the "0" that ends it) answers the question asked. */
	if (t->r->has_number || bare_zero(t->in->text, t->in->len))
		t->a->answers = INTENT_ELIGIBILITY;
	if (bare_zero(t->in->text, t->in->len) && !rules_zero_ok(f)) {
		turn_state(t, "");
		answer_say(t->a, "elig.cancelled");
		return MJ_OK;
	}
	if (t->r->has_number) {
		v = t->r->number;
		doubt = rules_answer_doubt(f, v, &d.a);
		/* No income at all is asked about once, then believed. */
		if (doubt == DOUBT_ZERO && d.retried)
			doubt = DOUBT_NONE;
	}
	if (doubt != DOUBT_NONE) {
		if (d.retried) {
			turn_state(t, "");
			answer_say(t->a, "elig.giveup");
			return MJ_OK;
		}
		d.retried = 1;
		dlg_save(t, &d);
		ask_again(t, f, doubt, v, &d.a);
		return MJ_OK;
	}
	rules_answer_set(&d.a, f, v);
	d.i++;
	d.retried = 0;
	if ((rc = verdict(t, &d, d.i == d.nq, &given)) != MJ_OK || given)
		return rc;
	dlg_save(t, &d);
	say_fact(t, "elig.q", d.q[d.i], NULL);
	return MJ_OK;
}

static enum mj_err
documents(struct turn *t, const char *code)
{
	struct prog_def	*p;
	char		 text[ELIG_TEXT_MAX];
	enum mj_err	 rc;

	turn_state(t, "");
	if (code[0] == '\0') {
		answer_say(t->a, "documents.general");
		return MJ_OK;
	}
	if ((p = malloc(sizeof(*p))) == NULL)
		return MJ_ENOMEM;
	rc = store_rules_get(bot_store(t->b), code, p);
	if (rc == MJ_ENOTFOUND) {
		answer_say(t->a, "documents.general");
		rc = MJ_OK;
	} else if (rc == MJ_OK && (rc = elig_documents(bot_catalog(t->b),
	    *t->lang, p, text, sizeof(text))) == MJ_OK)
		say_text(t, text);
	free(p);
	return rc;
}

/*
 * Whether message word w matches alias word a (both folded): the same; a
 * followed by a suffix ("gurlanda", "urganchdagi", "rayone"); a with its
 * final vowel changed as Russian declines it ("Хиве", "Ханке"); or a
 * Russian adjective in another case ("ургенчский" -> "ургенчском").
 */
static int
word_match(const char *w, size_t wl, const char *a, size_t al)
{
	if (wl == al && memcmp(w, a, al) == 0)
		return 1;
	if (al < 4)
		return 0;
	if (wl > al && memcmp(w, a, al) == 0)
		return 1;
	if (strchr("aeiou", a[al - 1]) != NULL && wl + 1 >= al &&
	    wl <= al + 2 && memcmp(w, a, al - 1) == 0)
		return 1;
	return al > 5 && a[al - 1] == 'y' && strchr("aioy", a[al - 2]) !=
	    NULL && wl + 2 >= al && wl <= al + 2 && memcmp(w, a, al - 2) == 0;
}

#define MAX_WORDS	64

static size_t
words(char *s, const char **w, size_t *wl, size_t max)
{
	size_t	n = 0;

	while (*s != '\0' && n < max) {
		size_t k = strcspn(s, " ");

		w[n] = s;
		wl[n++] = k;
		s += k;
		s += strspn(s, " ");
	}
	return n;
}

/*
 * The district the text names, by its folded spellings; "" if none.
 * alone (if not NULL): whether that name is all the text says.
 */
static enum mj_err
match_district(const struct turn *t, char *district, size_t len, int *alone)
{
	char		 text[1024], *aliases = NULL, *line, *save = NULL;
	const char	*w[MAX_WORDS];
	size_t		 wl[MAX_WORDS], nw, best_words = 0, best_len = 0;
	char		*copy;
	enum mj_err	 rc;

	district[0] = '\0';
	if (alone != NULL)
		*alone = 0;
	if ((copy = strndup(t->in->text, t->in->len < 900 ? t->in->len :
	    900)) == NULL)
		return MJ_ENOMEM;
	fold_text(copy, text, sizeof(text));
	free(copy);
	nw = words(text, w, wl, MAX_WORDS);
	if (nw == 0)
		return MJ_OK;
	if ((rc = store_rules_aliases(bot_store(t->b), &aliases)) != MJ_OK)
		return rc;
	for (line = strtok_r(aliases, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char		*tab = strchr(line, '\t');
		const char	*aw[8];
		size_t		 awl[8], na, alen;

		if (tab == NULL)
			continue;
		*tab = '\0';
		alen = strlen(line);
		na = words(line, aw, awl, 8);
		if (na == 0 || na > nw)
			continue;
		for (size_t j = 0; j + na <= nw; j++) {
			size_t k;

			for (k = 0; k < na; k++)
				if (!word_match(w[j + k], wl[j + k], aw[k],
				    awl[k]))
					break;
			if (k == na && (na > best_words ||
			    (na == best_words && alen > best_len))) {
				best_words = na;
				best_len = alen;
				snprintf(district, len, "%s", tab + 1);
			}
		}
	}
	free(aliases);
	if (alone != NULL)
		*alone = district[0] != '\0' && best_words == nw;
	return MJ_OK;
}

/*
 * A message that is only a district's name ("xiva", "Ургенч тумани"):
 * a citizen asking where its Inson centre is.  Short texts only.
 */
static int
district_alone(const struct turn *t)
{
	char	district[32];
	int	alone, words = 1;

	/* Only a pattern's reading stands above a name ("Bog'ot" may look
	 * like thanks to the model). */
	if (t->r->pattern_intent != INTENT_UNKNOWN ||
	    t->in->event != BOT_TEXT || t->in->len > 64)
		return 0;
	for (size_t i = 0; i < t->in->len; i++)
		words += t->in->text[i] == ' ';
	return words <= 4 && match_district(t, district, sizeof(district),
	    &alone) == MJ_OK && alone;
}

static enum mj_err
office(struct turn *t, int asked)
{
	struct store	*st = bot_store(t->b);
	struct office	*o;
	char		 district[32], region[32], text[ELIG_TEXT_MAX];
	enum mj_err	 rc;

	if ((rc = match_district(t, district, sizeof(district), NULL)) !=
	    MJ_OK)
		return rc;
	if ((o = malloc(sizeof(*o))) == NULL)
		return MJ_ENOMEM;
	rc = MJ_ENOTFOUND;
	if (district[0] != '\0')
		rc = store_rules_office_get(st, district, o);
	if (rc == MJ_ENOTFOUND && !asked && t->c->phone[0] != '\0' &&
	    store_rules_phone_district(st, t->c->phone, region,
	    sizeof(region), district, sizeof(district)) == MJ_OK &&
	    (rc = store_rules_office_get(st, district, o)) == MJ_ENOTFOUND)
		rc = store_rules_office_in_region(st, region, o);
	if (rc == MJ_OK) {
		if (asked)	/* the district asked for */
			t->a->answers = INTENT_OFFICE_LOCATION;
		if ((rc = elig_office(bot_catalog(t->b), *t->lang, o, text,
		    sizeof(text))) == MJ_OK)
			say_text(t, text);
	} else if (rc == MJ_ENOTFOUND) {
		rc = MJ_OK;
		if (asked) {
			/* Asked for a district and still none: the general
			 * advice, and the question is closed. */
			turn_state(t, "");
			answer_say(t->a, "office.general");
		} else {
			turn_state(t, ST_OFFICE);
			answer_say(t->a, "office.ask");
		}
	}
	free(o);
	return rc;
}

int
eligibility_names_place(const struct turn *t)
{
	const struct conf	*conf = bot_conf(t->b);

	/* Inside a live dialogue a name answers its question. */
	if (strcmp(t->c->state, ST_ASK) == 0 &&
	    t->in->now - t->c->state_at <= conf->elig_idle_s)
		return 0;
	return district_alone(t);
}

/*
 * Inside a question, what the patterns do not claim is its answer when it
 * is a number or a word or two ("5", "3 mln", "bilmadim", "ko'p", a
 * district's name), whatever the model makes of it: read alone, "3 mln"
 * is eligibility and "ko'p" looks like thanks.  A question in more words,
 * or one the patterns know ("menu", "operator"), leaves the dialogue.  An
 * expired question's late answer is told so (eligibility_decide).
 */
static int
answers_question(const struct turn *t)
{
	int	ask = strcmp(t->c->state, ST_ASK) == 0,
		office_ask = strcmp(t->c->state, ST_OFFICE) == 0;

	if (!ask && !office_ask)
		return 0;
	if (office_ask && district_alone(t))
		return 1;
	if (t->r->pattern_intent != INTENT_UNKNOWN &&
	    t->r->pattern_intent != INTENT_ELIGIBILITY)
		return 0;
	return (ask && t->r->has_number) || t->r->words <= 2;
}

int
eligibility_owns(const struct turn *t)
{
	if (t->in->event != BOT_TEXT || t->r->app_no[0] != '\0')
		return 0;
	if (answers_question(t))
		return 1;
	if (t->r->intent == INTENT_ELIGIBILITY ||
	    t->r->intent == INTENT_DOCUMENTS ||
	    t->r->intent == INTENT_OFFICE_LOCATION)
		return 1;
	/* Answers; any other question leaves the dialogue to bot.c. */
	return strncmp(t->c->state, ST_ASK, strlen(ST_ASK)) == 0 &&
	    t->r->intent == INTENT_UNKNOWN;
}

enum mj_err
eligibility_decide(struct turn *t)
{
	const struct conf	*conf = bot_conf(t->b);
	int			 in_dialogue = strcmp(t->c->state, ST_ASK) == 0,
				 in_office = strcmp(t->c->state, ST_OFFICE) == 0,
				 expired = (in_dialogue || in_office) &&
				    t->in->now - t->c->state_at >
				    conf->elig_idle_s;
	struct dlg		 d;

	if (answers_question(t)) {
		if (in_office) {
			if (expired)
				turn_state(t, "");
			return office(t, !expired);
		}
		if (!expired)
			return answer(t);
	} else switch (t->r->intent) {
	case INTENT_ELIGIBILITY:
		return start(t, t->r->program);
	case INTENT_DOCUMENTS:
		if (t->r->program[0] == '\0' && in_dialogue && !expired &&
		    dlg_load(t, &d) && strcmp(d.prog, "*") != 0)
			return documents(t, d.prog);
		return documents(t, t->r->program);
	case INTENT_OFFICE_LOCATION:
		if (expired)
			turn_state(t, "");
		return office(t, 0);
	default:
		break;
	}
	if (expired) {
		if (t->r->has_number && in_dialogue)	/* a late answer */
			t->a->answers = INTENT_ELIGIBILITY;
		turn_state(t, "");
		answer_say(t->a, "elig.expired");
		return MJ_OK;
	}
	if (in_office)
		return office(t, 1);
	return answer(t);
}
