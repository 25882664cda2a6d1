/*
 * ussd_cost.c - murojaat ussd-cost (commands.h): every USSD screen in
 * every language, with every note, measured as sent.  The lists and data
 * texts are the store's (the programmes and Inson centres imported from
 * data/); status screens are rendered for every status with the
 * application's longest values, verdicts for answers that give each kind
 * of verdict.  A page over one USSD page fails, and so does a screen that
 * should be one page (the menus, a question, a status) and needs two.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/bot_int.h"
#include "bot/commands.h"
#include "bot/ussd_int.h"

static const char *const statuses[] = { "pending", "in_review", "approved",
    "rejected", "paid", "needs_documents", NULL };

static const char *const scr_names[USSD__SCR_COUNT] = {
	"lang_first", "main", "status_ask", "status", "progs", "question",
	"verdict", "info", "docs", "districts", "office", "operator",
	"operator_done", "lang"
};

/* The status a rendering is to find: an index in statuses, or -1/-2. */
struct cost {
	struct ussd_store	*u;
	struct ussd_src		 src;
	int			 status;	/* -1 not found, -2 too many */
	int			 screens, over;
};

static enum mj_err
cost_status(void *arg, const char *app_no, enum ussd_found *found,
    struct app_status *app)
{
	struct cost	*k = arg;

	(void)app_no;
	memset(app, 0, sizeof(*app));
	if (k->status < 0) {
		*found = k->status == -1 ? USSD_NOT_FOUND : USSD_TOO_MANY;
		return MJ_OK;
	}
	*found = USSD_FOUND;
	snprintf(app->number, sizeof(app->number), "AR-2025-000001");
	snprintf(app->programme, sizeof(app->programme), "child_allowance");
	snprintf(app->status, sizeof(app->status), "%s", statuses[k->status]);
	snprintf(app->submitted, sizeof(app->submitted), "2025-09-28");
	snprintf(app->decided, sizeof(app->decided), "2025-09-28");
	snprintf(app->payment, sizeof(app->payment), "2025-09-28");
	return MJ_OK;
}

/* The store's source but for the status, which is the one asked for. */
#define DELEGATE(name, args, call)					\
	static enum mj_err cost_##name args				\
	{ struct cost *k = arg; return k->u->src.name call; }
DELEGATE(count, (void *arg, enum ussd_list l, int *n), (k->u, l, n))
DELEGATE(name, (void *arg, enum ussd_list l, int i, enum lang g, char *b,
    size_t n), (k->u, l, i, g, b, n))
DELEGATE(questions, (void *arg, int i, enum rules_fact *q, size_t max,
    size_t *n), (k->u, i, q, max, n))
DELEGATE(text, (void *arg, enum ussd_text t, int i, enum lang g,
    const struct rules_answers *a, char *b, size_t n), (k->u, t, i, g, a,
    b, n))
#undef DELEGATE

/* Render every page of st with note; print each; count what is over. */
static enum mj_err
measure(struct cost *k, const struct ussd_ctx *x, struct ussd_state st,
    enum ussd_note note, const char *detail, int one_page)
{
	struct ussd_screen	*s;
	enum mj_err		 rc = MJ_OK;
	int			 pages = 1;

	if ((s = malloc(sizeof(*s))) == NULL)
		return MJ_ENOMEM;
	for (st.page = 0; st.page < pages; st.page++) {
		size_t	units = 0;
		int	gsm7 = 0, fits, bad;

		if ((rc = ussd_render(x, &st, note, s)) != MJ_OK) {
			printf("%s %s%s note=%d error %s\n", lang_tag(st.lang),
			    scr_names[st.scr], detail, (int)note,
			    mj_strerror(rc));
			k->over++;
			break;
		}
		pages = s->pages;
		fits = ussd_fits(s->text, strlen(s->text), &units, &gsm7);
		bad = !fits || !s->fits || (one_page && pages > 1);
		k->screens++;
		k->over += bad;
		printf("%s %s%s note=%d page=%d/%d %s %zu%s\n",
		    lang_tag(st.lang), scr_names[st.scr], detail, (int)note,
		    st.page + 1, pages, gsm7 ? "gsm7" : "ucs2", units,
		    bad ? (fits && s->fits ? " OVER: more than one page" :
		    " OVER") : "");
	}
	free(s);
	return rc;
}

/* Answers that lead to each kind of verdict, and to none at all. */
static void
answer_sets(struct rules_answers sets[4])
{
	static const double v[3][FACT__ASKED] = {
		/* members income3m children under3 age disability registry */
		{ 6, 1000, 4, 1, 17, 1, 2 },
		{ 2, 1e10, 0, 0, 64, 0, 4 },
		{ 4, 10300000, 1, 0, 30, 3, 3 },
	};

	memset(sets, 0, 4 * sizeof(sets[0]));
	for (int s = 0; s < 3; s++)
		for (int f = 0; f < FACT__ASKED; f++)
			rules_answer_set(&sets[s], (enum rules_fact)f, v[s][f]);
}

static enum mj_err
every_screen(struct cost *k, const struct ussd_ctx *x, enum lang l)
{
	static const enum ussd_scr menus[] = { USSD_LANG_FIRST, USSD_MAIN,
	    USSD_STATUS_ASK, USSD_LANG, USSD_OPERATOR };
	struct rules_answers	 sets[4];
	struct ussd_state	 st;
	enum rules_fact		 qs[8];
	enum mj_err		 rc = MJ_OK;
	char			 detail[48];
	size_t			 nq;
	int			 nprogs = 0, ndist = 0;

	answer_sets(sets);
	if ((rc = k->src.count(k, USSD_LIST_PROGS, &nprogs)) != MJ_OK ||
	    (rc = k->src.count(k, USSD_LIST_DISTRICTS, &ndist)) != MJ_OK)
		return rc;
	for (int note = 0; note < USSD__NOTE_COUNT && rc == MJ_OK; note++) {
		enum ussd_note	n = (enum ussd_note)note;

		ussd_start(&st, (int)l);
		for (size_t i = 0; i < sizeof(menus) / sizeof(menus[0]) &&
		    rc == MJ_OK; i++) {
			st.scr = menus[i];
			rc = measure(k, x, st, n, "", 1);
		}
		for (int docs = 0; docs < 2 && rc == MJ_OK; docs++) {
			st.scr = USSD_PROGS;
			st.docs = docs;
			rc = measure(k, x, st, n, docs ? ".docs" : ".elig", 0);
		}
		st.docs = 0;
		st.scr = USSD_DISTRICTS;
		if (rc == MJ_OK)
			rc = measure(k, x, st, n, "", 0);
		for (int p = -1; p < nprogs && rc == MJ_OK; p++) {
			st.item = p;
			if ((rc = k->src.questions(k, p, qs, 8, &nq)) != MJ_OK)
				break;
			for (size_t q = 0; q < nq && rc == MJ_OK; q++) {
				st.scr = USSD_QUESTION;
				st.q = (int)q;
				snprintf(detail, sizeof(detail), ".%d.%s", p,
				    rules_fact_name(qs[q]));
				rc = measure(k, x, st, n, detail, 1);
			}
			for (int s = 0; s < 4 && rc == MJ_OK; s++) {
				st.scr = USSD_VERDICT;
				st.a = sets[s];
				snprintf(detail, sizeof(detail), ".%d.%d", p, s);
				rc = measure(k, x, st, n, detail, 0);
			}
			memset(&st.a, 0, sizeof(st.a));
			for (int t = 0; p >= 0 && t < 2 && rc == MJ_OK; t++) {
				st.scr = t == 0 ? USSD_INFO : USSD_DOCS;
				snprintf(detail, sizeof(detail), ".%d", p);
				rc = measure(k, x, st, n, detail, 0);
			}
		}
		for (int d = 0; d < ndist && rc == MJ_OK; d++) {
			st.scr = USSD_OFFICE;
			st.item = d;
			snprintf(detail, sizeof(detail), ".%d", d);
			rc = measure(k, x, st, n, detail, 0);
		}
	}
	/* Screens that carry no note: a status told, the call-back asked. */
	ussd_start(&st, (int)l);
	snprintf(st.app_no, sizeof(st.app_no), "AR-2025-000001");
	for (int s = -2; statuses[s < 0 ? 0 : s] != NULL && rc == MJ_OK;
	    s++) {
		k->status = s;
		st.scr = USSD_STATUS;
		snprintf(detail, sizeof(detail), ".%s", s == -1 ? "not_found" :
		    s == -2 ? "too_many" : statuses[s]);
		rc = measure(k, x, st, USSD_NOTE_NONE, detail, 1);
	}
	st.scr = USSD_OPERATOR_DONE;
	if (rc == MJ_OK)
		rc = measure(k, x, st, USSD_NOTE_NONE, "", 1);
	return rc;
}

int
commands_ussd_cost(const struct commands_open *op, int argc, char **argv)
{
	struct ussd_store	 u;
	struct cost		 k;
	struct ussd_ctx		 x;
	struct bot		*b;
	enum mj_err		 rc = MJ_OK;

	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "usage: murojaat ussd-cost\n");
		return 2;
	}
	if ((b = op->open(op->ctx)) == NULL)
		return 2;
	memset(&k, 0, sizeof(k));
	ussd_store_init(&u, b, "+998900000000", 0);
	k.u = &u;
	k.src = (struct ussd_src){ &k, cost_count, cost_name, cost_questions,
	    cost_text, cost_status };
	x = (struct ussd_ctx){ bot_catalog(b), &k.src };
	if (store_begin(bot_store(b)) != MJ_OK) {
		ussd_store_free(&u);
		return 2;
	}
	for (int l = 0; l < LANG__COUNT && rc == MJ_OK; l++)
		rc = every_screen(&k, &x, (enum lang)l);
	store_end(bot_store(b), 0);
	ussd_store_free(&u);
	fprintf(stderr, "ussd-cost: %d screens, %d over one USSD page "
	    "(%d GSM-7 or %d UCS-2)%s%s\n", k.screens, k.over, USSD_PAGE_GSM7,
	    USSD_PAGE_UCS2, rc != MJ_OK ? ": " : "",
	    rc != MJ_OK ? mj_strerror(rc) : "");
	return rc != MJ_OK ? 2 : k.over > 0 ? 1 : 0;
}
