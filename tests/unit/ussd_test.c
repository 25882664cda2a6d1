/*
 * ussd_test.c - the USSD menus: the state machine (bot/ussd.c,
 * bot/ussd_screen.c) on a table of programmes, districts and applications,
 * then a session through the bot (bot/ussd_bot.c) on a real store: the
 * session kept across requests, a replay, the privacy rule and the miss
 * limit shared with SMS, a text that does not follow, expiry, the
 * call-back request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/ussd.h"
#include "tests/unit/bot_kit.h"
#include "tests/unit/check.h"

/* ---- a table for the machine alone */

#define NDIST	20

struct table {
	int	status_calls;
	char	last_status[16];
};

static enum mj_err
t_count(void *arg, enum ussd_list l, int *n)
{
	(void)arg;
	*n = l == USSD_LIST_PROGS ? 3 : NDIST;
	return MJ_OK;
}

static enum mj_err
t_name(void *arg, enum ussd_list l, int i, enum lang lang, char *buf,
    size_t len)
{
	static const char *const progs[] = { "Bolalar nafaqasi",
	    "Yoshlar daftari", "Pensiya" };

	(void)arg;
	(void)lang;
	if (l == USSD_LIST_PROGS)
		snprintf(buf, len, "%s", progs[i]);
	else
		snprintf(buf, len, "Tuman %d", i + 1);
	return MJ_OK;
}

static enum mj_err
t_questions(void *arg, int i, enum rules_fact *q, size_t max, size_t *n)
{
	(void)arg;
	(void)max;
	*n = 0;
	if (i == -1) {
		q[(*n)++] = FACT_MEMBERS;
		q[(*n)++] = FACT_AGE;
	} else if (i == 0) {
		q[(*n)++] = FACT_MEMBERS;
		q[(*n)++] = FACT_CHILDREN;
		q[(*n)++] = FACT_INCOME3M;
	} else if (i == 1)
		q[(*n)++] = FACT_AGE;
	return MJ_OK;
}

static enum mj_err
t_text(void *arg, enum ussd_text kind, int i, enum lang lang,
    const struct rules_answers *a, char *buf, size_t len)
{
	(void)arg;
	(void)lang;
	switch (kind) {
	case USSD_TEXT_VERDICT:
		snprintf(buf, len, "verdict %d members %.0f children %.0f "
		    "income %.0f age %.0f", i, a->has[FACT_MEMBERS] ?
		    a->v[FACT_MEMBERS] : -1, a->has[FACT_CHILDREN] ?
		    a->v[FACT_CHILDREN] : -1, a->has[FACT_INCOME3M] ?
		    a->v[FACT_INCOME3M] : -1, a->has[FACT_AGE] ? a->v[FACT_AGE] :
		    -1);
		break;
	case USSD_TEXT_DOCS: {
		/* long enough for three pages */
		size_t o = (size_t)snprintf(buf, len, "docs %d:", i);

		for (int w = 0; w < 60 && o < len; w++)
			o += (size_t)snprintf(buf + o, len - o, " word%02d", w);
		break;
	}
	case USSD_TEXT_INFO:
		snprintf(buf, len, "info %d", i);
		break;
	case USSD_TEXT_OFFICE:
		snprintf(buf, len, "office %d", i);
		break;
	}
	return MJ_OK;
}

static enum mj_err
t_status(void *arg, const char *app_no, enum ussd_found *found,
    struct app_status *app)
{
	struct table	*t = arg;

	t->status_calls++;
	snprintf(t->last_status, sizeof(t->last_status), "%s", app_no);
	if (strcmp(app_no, "AR-2025-000001") != 0) {
		*found = USSD_NOT_FOUND;
		return MJ_OK;
	}
	*found = USSD_FOUND;
	memset(app, 0, sizeof(*app));
	snprintf(app->number, sizeof(app->number), "%s", app_no);
	snprintf(app->status, sizeof(app->status), "approved");
	snprintf(app->programme, sizeof(app->programme), "child_allowance");
	snprintf(app->submitted, sizeof(app->submitted), "2025-02-01");
	snprintf(app->decided, sizeof(app->decided), "2025-03-01");
	snprintf(app->payment, sizeof(app->payment), "2025-03-04");
	return MJ_OK;
}

static struct table		 tab;
static struct ussd_src		 src = { &tab, t_count, t_name, t_questions,
				    t_text, t_status };
static struct ussd_ctx		 x;
static struct ussd_screen	 scr;

/* A catalogue text made SMS-ready, as screens carry it. */
static const char *
cat(enum lang l, const char *id)
{
	static char	buf[4][512];
	static int	n;
	char		*s = NULL, *r = NULL, *w = buf[n++ % 4];

	w[0] = '\0';
	if (catalog_render(x.cat, l, id, NULL, 0, &s) == MJ_OK &&
	    sms_prepare(s, strlen(s), &r) == MJ_OK)
		snprintf(w, 512, "%s", r);
	free(s);
	free(r);
	return w;
}

/* Apply text to st; render it; the screen must fit one page. */
static void
walk(struct ussd_state *st, const char *text, struct ussd_step *step)
{
	CHECK_INT(ussd_advance(&x, st, text, strlen(text), step), MJ_OK);
	CHECK_INT(ussd_render(&x, st, step->note, &scr), MJ_OK);
	CHECK(scr.fits);
	CHECK(ussd_fits(scr.text, strlen(scr.text), NULL, NULL));
}

static int
has_line(const char *text, const char *line)
{
	size_t	n = strlen(line);

	for (const char *p = text; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

static void
test_start_and_language(void)
{
	struct ussd_state	st;
	struct ussd_step	step;

	ussd_start(&st, -1);
	CHECK_INT(st.scr, USSD_LANG_FIRST);
	CHECK_INT(ussd_render(&x, &st, USSD_NOTE_NONE, &scr), MJ_OK);
	CHECK_INT(scr.end, 0);
	CHECK_INT(scr.pages, 1);
	CHECK(has_line(scr.text, "1 O'zbekcha"));
	CHECK(has_line(scr.text, "2 Ўзбекча"));
	CHECK(has_line(scr.text, "3 Русский"));
	CHECK(has_line(scr.text, "4 English"));
	/* Cyrillic on the page: measured as UCS-2 */
	{
		int	gsm7 = 1;
		size_t	units = 0;

		CHECK(ussd_fits(scr.text, strlen(scr.text), &units, &gsm7));
		CHECK_INT(gsm7, 0);
		CHECK(units <= USSD_PAGE_UCS2);
	}
	walk(&st, "3", &step);
	CHECK_INT(st.scr, USSD_MAIN);
	CHECK_INT(st.lang, LANG_RU);
	CHECK_INT(step.lang_chosen, 1);
	CHECK_INT(step.intent, INTENT_GREETING);
	CHECK(strstr(scr.text, cat(LANG_RU, "ussd.menu.status")) != NULL);
	CHECK(has_line(scr.text, "6 Язык"));
	/* a known phone starts at the main menu */
	ussd_start(&st, LANG_EN);
	CHECK_INT(st.scr, USSD_MAIN);
	CHECK_INT(ussd_render(&x, &st, USSD_NOTE_NONE, &scr), MJ_OK);
	CHECK(has_line(scr.text, "1 Application status"));
	CHECK(has_line(scr.text, "5 Talk to a person"));
}

static void
test_status_and_replay(void)
{
	struct ussd_state	a, b;
	struct ussd_step	step;

	/* the path is the state: one request or three give the same */
	ussd_start(&a, -1);
	CHECK_INT(ussd_advance(&x, &a, "4*1*2025000001", 14, &step), MJ_OK);
	CHECK_INT(step.inputs, 3);
	ussd_start(&b, -1);
	CHECK_INT(ussd_advance(&x, &b, "4", 1, &step), MJ_OK);
	CHECK_INT(ussd_advance(&x, &b, "1", 1, &step), MJ_OK);
	CHECK_INT(ussd_advance(&x, &b, "2025000001", 10, &step), MJ_OK);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK_INT(a.scr, USSD_STATUS);
	CHECK_STR(a.app_no, "AR-2025-000001");
	CHECK_INT(step.intent, INTENT_STATUS_CHECK);
	/* told only at rendering, once */
	tab.status_calls = 0;
	CHECK_INT(ussd_render(&x, &a, USSD_NOTE_NONE, &scr), MJ_OK);
	CHECK_INT(tab.status_calls, 1);
	CHECK(strstr(scr.text, "AR-2025-000001 was approved on 01.03.2025. "
	    "First payment: 04.03.2025.") != NULL);
	CHECK(has_line(scr.text, "0 Back 00 Home"));
	CHECK_STR(scr.app_no, "AR-2025-000001");
	/* digits of a shorter number; a stranger's answer is not-found */
	ussd_start(&a, LANG_EN);
	walk(&a, "1*20257", &step);
	CHECK_STR(tab.last_status, "AR-2025-000007");
	CHECK(strstr(scr.text, "No application AR-2025-000007 was found") !=
	    NULL);
	/* another number from the status screen; wrong ones go back */
	tab.status_calls = 0;
	walk(&a, "2025000001", &step);
	CHECK_INT(a.scr, USSD_STATUS);
	CHECK_INT(tab.status_calls, 1);
	walk(&a, "12", &step);
	CHECK_INT(a.scr, USSD_STATUS_ASK);
	CHECK_INT(step.note, USSD_NOTE_APPNO);
	CHECK_INT(tab.status_calls, 1);		/* not told again */
	CHECK(strncmp(scr.text, "Enter 10 digits.\n", 17) == 0);
	walk(&a, "x1", &step);
	CHECK_INT(step.note, USSD_NOTE_DIGITS);
	walk(&a, "202500000123", &step);		/* 12 digits */
	CHECK_INT(step.note, USSD_NOTE_APPNO);
	walk(&a, "0", &step);
	CHECK_INT(a.scr, USSD_MAIN);
}

static void
test_bad_input(void)
{
	struct ussd_state	st, was;
	struct ussd_step	step;
	char			many[80];

	ussd_start(&st, LANG_UZ_LATN);
	walk(&st, "7", &step);
	CHECK_INT(st.scr, USSD_MAIN);
	CHECK_INT(step.note, USSD_NOTE_OPTION);
	CHECK(strncmp(scr.text, cat(LANG_UZ_LATN, "ussd.note.option"),
	    strlen(cat(LANG_UZ_LATN, "ussd.note.option"))) == 0);
	walk(&st, "abc", &step);
	CHECK_INT(step.note, USSD_NOTE_DIGITS);
	walk(&st, "123456789012345678901", &step);
	CHECK_INT(step.note, USSD_NOTE_LONG);
	walk(&st, "", &step);
	CHECK_INT(step.note, USSD_NOTE_OPTION);
	walk(&st, "0", &step);			/* nothing above the menu */
	CHECK_INT(step.note, USSD_NOTE_OPTION);
	walk(&st, "-1", &step);
	CHECK_INT(step.note, USSD_NOTE_DIGITS);
	walk(&st, "00", &step);
	CHECK_INT(step.note, USSD_NOTE_NONE);
	CHECK_INT(st.scr, USSD_MAIN);
	walk(&st, "1#", &step);			/* the key some phones add */
	CHECK_INT(st.scr, USSD_STATUS_ASK);
	walk(&st, "00", &step);
	CHECK_INT(st.scr, USSD_MAIN);
	/* too many inputs at once: none applied */
	memset(many, 0, sizeof(many));
	for (int i = 0; i < 33; i++)
		strcat(many, i ? "*1" : "1");
	was = st;
	walk(&st, many, &step);
	CHECK_INT(step.note, USSD_NOTE_LONG);
	CHECK(memcmp(&st, &was, sizeof(st)) == 0);
	/* a bad input in the middle: the rest still applies */
	walk(&st, "9*4", &step);
	CHECK_INT(st.scr, USSD_DISTRICTS);
	CHECK_INT(step.note, USSD_NOTE_NONE);
}

static void
test_paging(void)
{
	struct ussd_state	st;
	struct ussd_step	step;
	int			pages, seen = 0;

	ussd_start(&st, LANG_RU);
	walk(&st, "4", &step);
	CHECK_INT(st.scr, USSD_DISTRICTS);
	pages = scr.pages;
	CHECK(pages > 1);
	CHECK(has_line(scr.text, "1 Tuman 1"));
	CHECK(strstr(scr.text, "98 Ещё") != NULL);
	/* every district on exactly one page, numbered on */
	for (int p = 0; p < pages; p++) {
		for (int d = 1; d <= NDIST; d++) {
			char	l[32];

			snprintf(l, sizeof(l), "%d Tuman %d", d, d);
			seen += has_line(scr.text, l);
		}
		CHECK_INT(scr.pages, pages);
		if (p + 1 < pages) {
			walk(&st, "98", &step);
			CHECK_INT(st.page, p + 1);
			CHECK(strstr(scr.text, "0 Назад") != NULL);
		}
	}
	CHECK_INT(seen, NDIST);
	CHECK(strstr(scr.text, "98 Ещё") == NULL);
	walk(&st, "98", &step);			/* no page after the last */
	CHECK_INT(step.note, USSD_NOTE_OPTION);
	CHECK_INT(st.page, pages - 1);
	walk(&st, "0", &step);
	CHECK_INT(st.page, pages - 2);
	/* a district on another page is still chosen by its number */
	walk(&st, "1", &step);
	CHECK_INT(st.scr, USSD_OFFICE);
	CHECK_INT(st.item, 0);
	CHECK(strstr(scr.text, "office 0") != NULL);
	walk(&st, "0", &step);			/* back to its page */
	CHECK_INT(st.scr, USSD_DISTRICTS);
	CHECK_INT(st.page, pages - 2);
	/* a long text: pages of words, none lost */
	ussd_start(&st, LANG_RU);
	walk(&st, "3*1", &step);
	CHECK_INT(st.scr, USSD_DOCS);
	CHECK(scr.pages >= 2);
	seen = 0;
	for (int p = 0; p < scr.pages; p++) {
		for (int w = 0; w < 60; w++) {
			char	word[16];

			snprintf(word, sizeof(word), "word%02d", w);
			seen += strstr(scr.text, word) != NULL;
		}
		if (p + 1 < scr.pages)
			walk(&st, "98", &step);
	}
	CHECK_INT(seen, 60);
	walk(&st, "00", &step);
	CHECK_INT(st.scr, USSD_MAIN);
}

static void
test_eligibility(void)
{
	struct ussd_state	st;
	struct ussd_step	step;

	ussd_start(&st, LANG_EN);
	walk(&st, "2", &step);
	CHECK_INT(st.scr, USSD_PROGS);
	CHECK(has_line(scr.text, "1 Which one suits me?"));
	CHECK(has_line(scr.text, "2 Bolalar nafaqasi"));
	walk(&st, "2", &step);			/* programme 0 */
	CHECK_INT(st.scr, USSD_QUESTION);
	CHECK_INT(st.item, 0);
	CHECK(strstr(scr.text, cat(LANG_EN, "ussd.q.members")) != NULL);
	CHECK(has_line(scr.text, "0 Back 00 Home"));
	walk(&st, "41", &step);			/* over 40 people */
	CHECK_INT(step.note, USSD_NOTE_NUMBER);
	CHECK_INT(st.q, 0);
	walk(&st, "5", &step);
	CHECK_INT(st.q, 1);
	/* 0 answers "how many children": no "0 Back" offered */
	CHECK(has_line(scr.text, "00 Home"));
	CHECK(strstr(scr.text, "0 Back") == NULL);
	walk(&st, "5", &step);			/* as many as the family */
	CHECK_INT(step.note, USSD_NOTE_NUMBER);
	walk(&st, "0", &step);
	CHECK_INT(st.q, 2);
	walk(&st, "4500000", &step);
	CHECK_INT(st.scr, USSD_VERDICT);
	CHECK_INT(step.intent, INTENT_ELIGIBILITY);
	CHECK(strstr(scr.text, "verdict 0 members 5 children 0 income "
	    "4500000 age -1") != NULL);
	walk(&st, "0", &step);			/* back to the programmes */
	CHECK_INT(st.scr, USSD_PROGS);
	CHECK_INT(st.docs, 0);
	/* the general check; back from its second question */
	walk(&st, "1", &step);
	CHECK_INT(st.item, -1);
	walk(&st, "3", &step);
	CHECK_INT(st.q, 1);
	walk(&st, "0", &step);			/* back: members again */
	CHECK_INT(st.q, 0);
	CHECK_INT(st.a.has[FACT_MEMBERS], 0);
	walk(&st, "0", &step);
	CHECK_INT(st.scr, USSD_PROGS);
	/* a programme without questions: who and where */
	walk(&st, "4", &step);
	CHECK_INT(st.scr, USSD_INFO);
	CHECK(strstr(scr.text, "info 2") != NULL);
}

static void
test_operator_and_state(void)
{
	struct ussd_state	st, back;
	struct ussd_step	step;
	char			buf[512], id[160];

	ussd_start(&st, LANG_UZ_CYRL);
	walk(&st, "5", &step);
	CHECK_INT(st.scr, USSD_OPERATOR);
	CHECK_INT(step.operator, 0);
	CHECK_INT(step.intent, INTENT_HELP);
	walk(&st, "1", &step);
	CHECK_INT(st.scr, USSD_OPERATOR_DONE);
	CHECK_INT(step.operator, 1);
	CHECK_INT(step.intent, INTENT_HUMAN_OPERATOR);
	CHECK_INT(scr.end, 1);
	CHECK_STR(scr.text, cat(LANG_UZ_CYRL, "ussd.operator.done"));
	/* saved and read back, answers and all */
	ussd_start(&st, LANG_RU);
	walk(&st, "2*2*6*3", &step);
	CHECK_INT(ussd_save(&st, buf, sizeof(buf)), 0);
	CHECK_INT(ussd_load(&back, buf), 0);
	CHECK(memcmp(&st, &back, sizeof(st)) == 0);
	CHECK_INT(ussd_load(&back, "s=99;l=0;d=0;g=0;k=0;i=0;q=0;n=;a="), -1);
	CHECK_INT(ussd_load(&back, "s=1;l=0"), -1);
	CHECK_INT(ussd_load(&back, "s=1;l=0;d=0;g=0;k=0;i=0;q=0;n=x';a="),
	    -1);
	CHECK_INT(ussd_load(&back, ""), -1);
	/* request ids: the session is all but the hash */
	ussd_request_id("africastalking", "ATUid_1", "+998901234567", "1*2", 3,
	    id, sizeof(id));
	CHECK_INT(strlen(id), strlen("africastalking/ATUid_1/") + 16);
	CHECK(strncmp(id, "africastalking/ATUid_1/", 23) == 0);
	{
		char other[160];

		ussd_request_id("africastalking", "ATUid_1", "+998901234567",
		    "1*3", 3, other, sizeof(other));
		CHECK(strcmp(id, other) != 0);
		/* the same session and text from another phone: another id */
		ussd_request_id("africastalking", "ATUid_1", "+998907654321",
		    "1*2", 3, other, sizeof(other));
		CHECK(strcmp(id, other) != 0);
		ussd_request_id("africastalking", "ATUid_1", "+998901234567",
		    "1*2", 3, other, sizeof(other));
		CHECK_STR(id, other);
	}
}

/* ---- through the bot, on a real store */

static const char *
ussd(struct kit *k, const char *phone, const char *session,
    const char *text)
{
	struct bot_in	in;
	char		id[200];

	bot_out_free(&k->out);
	k->now += 5;
	ussd_request_id("test", session, phone, text, strlen(text), id,
	    sizeof(id));
	in = (struct bot_in){ .event = BOT_USSD, .channel = "ussd",
	    .provider = "test", .address = phone, .phone = phone,
	    .msg_id = id, .req = "ussd", .text = text, .len = strlen(text),
	    .sync = 1, .now = k->now, .session = session,
	    .service = "*384#" };
	k->rc = bot_handle(k->bot, &in, &k->out);
	return k->out.text != NULL ? k->out.text : "";
}

static void
test_bot(void)
{
	struct kit	 k;
	char		 first[1024], want[1024], *s = NULL;
	const char	*t;

	if (kit_open(&k, "ussd_test") == -1) {
		check_failed++;
		return;
	}
	t = ussd(&k, KIT_PHONE1, "s1", "");
	CHECK_INT(k.rc, MJ_OK);
	CHECK(strncmp(t, "CON 1 O'zbekcha\n", 16) == 0);
	CHECK_INT(k.out.ussd_new, 1);
	t = ussd(&k, KIT_PHONE1, "s1", "3");
	CHECK(strstr(t, "6 Язык") != NULL);
	CHECK_INT(k.out.ussd_new, 0);
	t = ussd(&k, KIT_PHONE1, "s1", "3*1");
	t = ussd(&k, KIT_PHONE1, "s1", "3*1*2025000001");
	CHECK(strncmp(t, "CON AR-2025-000001 ", 19) == 0);
	CHECK(strstr(t, "01.03.2025") != NULL);
	snprintf(first, sizeof(first), "%s", t);
	/* a replay: the same screen, from the store */
	t = ussd(&k, KIT_PHONE1, "s1", "3*1*2025000001");
	CHECK_STR(t, first);
	CHECK_INT(k.out.duplicate, 1);
	/* rows: every input and every screen, in the ussd conversation */
	CHECK_STR(kit_sql(&k, "SELECT count(*) FROM messages m JOIN contacts c"
	    " ON c.id = m.contact_id WHERE c.channel = 'ussd' AND "
	    "m.channel = 'ussd'"), "8");
	CHECK_STR(kit_sql(&k, "SELECT body FROM messages WHERE direction = "
	    "'in' AND channel = 'ussd' ORDER BY id LIMIT 1"), "*384#");
	CHECK_STR(kit_sql(&k, "SELECT body FROM messages WHERE direction = "
	    "'in' AND channel = 'ussd' ORDER BY id DESC LIMIT 1"),
	    "2025000001");
	CHECK_STR(kit_sql(&k, "SELECT entities FROM messages WHERE direction "
	    "= 'in' AND channel = 'ussd' ORDER BY id DESC LIMIT 1"),
	    "app_no=AR-2025-000001");
	CHECK_STR(kit_sql(&k, "SELECT lang || ' ' || lang_chosen FROM contacts"
	    " WHERE channel = 'ussd'"), "ru 1");
	/* a text that does not follow the session: where it was, noted */
	t = ussd(&k, KIT_PHONE1, "s1", "9*9");
	CHECK(strncmp(t, "CON Повторите.\nAR-2025-000001 = 2025000001.", 43) ==
	    0);
	/* and the gateway's next text follows the one it sent */
	t = ussd(&k, KIT_PHONE1, "s1", "9*9*00");
	CHECK(strstr(t, "1 Статус") != NULL);
	/* a new session of a known phone: the main menu in its language */
	t = ussd(&k, KIT_PHONE1, "s2", "");
	CHECK(strncmp(t, "CON 1 Статус\n", 17) == 0);
	/* expiry: after ussd.session_ttl the same session starts again */
	t = ussd(&k, KIT_PHONE1, "s2", "1");
	k.now += k.conf.ussd_session_ttl_s + 1;
	t = ussd(&k, KIT_PHONE1, "s2", "1*2025000001");
	CHECK(strncmp(t, "CON 1 Статус\n", 17) == 0);
	CHECK_INT(k.out.ussd_new, 1);

	/* misses count with SMS's: 3 by SMS first, then 2 by USSD */
	for (int i = 0; i < 3; i++)
		kit_say(&k, "sms", KIT_STRANGER, KIT_STRANGER,
		    "AR-2025-000002");
	/* privacy: a stranger is told what a number that does not exist is */
	t = ussd(&k, KIT_STRANGER, "s3", "");
	t = ussd(&k, KIT_STRANGER, "s3", "4");
	t = ussd(&k, KIT_STRANGER, "s3", "4*1*2025000001");
	snprintf(first, sizeof(first), "%s", t);
	t = ussd(&k, KIT_STRANGER, "s3", "4*1*2025000001*2025999999");
	{
		struct msg_arg	a = { "app_no", "AR-2025-000001" };
		char		*r = NULL;

		CHECK_INT(catalog_render(k.cat, LANG_EN, "ussd.status.not_found",
		    &a, 1, &s), MJ_OK);
		snprintf(want, sizeof(want), "CON %s\n0 Back 00 Home", s);
		CHECK_STR(first, want);
		free(s);
		a.value = "AR-2025-999999";
		CHECK_INT(catalog_render(k.cat, LANG_EN, "ussd.status.not_found",
		    &a, 1, &r), MJ_OK);
		snprintf(want, sizeof(want), "CON %s\n0 Back 00 Home", r);
		CHECK_STR(t, want);
		free(r);
	}
	/* five misses in all: the owner's own number is not told either */
	t = ussd(&k, KIT_STRANGER, "s3", "4*1*2025000001*2025999999*2025000002");
	CHECK(strstr(t, cat(LANG_EN, "ussd.status.too_many")) != NULL);
	CHECK_STR(kit_sql(&k, "SELECT misses FROM contacts WHERE channel = "
	    "'sms' AND address = '" KIT_STRANGER "'"), "5");
	t = kit_say(&k, "sms", KIT_STRANGER, KIT_STRANGER, "AR-2025-000002");
	CHECK_STR(t, kit_want(&k, "sms", LANG_UZ_LATN, "status.too_many",
	    NULL));
	/* the owner is told, whatever a stranger tried */
	t = ussd(&k, KIT_PHONE2, "s4", "");
	t = ussd(&k, KIT_PHONE2, "s4", "4*1*2025000002");
	CHECK(strstr(t, "AR-2025-000002 is being reviewed") != NULL);

	/* the call-back: a row the help desk flags, the session closed */
	t = ussd(&k, KIT_PHONE2, "s4", "4*1*2025000002*00*5");
	CHECK(strstr(t, cat(LANG_EN, "ussd.operator.ask")) != NULL);
	t = ussd(&k, KIT_PHONE2, "s4", "4*1*2025000002*00*5*1");
	CHECK(strncmp(t, "END ", 4) == 0);
	CHECK_STR(kit_sql(&k, "SELECT intent FROM messages WHERE direction = "
	    "'in' AND channel = 'ussd' ORDER BY id DESC LIMIT 1"),
	    "human_operator");
	CHECK_STR(kit_sql(&k, "SELECT state FROM contacts WHERE channel = "
	    "'ussd' AND address = '" KIT_PHONE2 "'"), "");
	/* a notice or an agent's reply to a USSD contact goes as SMS */
	CHECK(bot_channel_is_sms("ussd"));
	kit_close(&k);
}

int
main(void)
{
	struct catalog	*c;
	char		 where[512];

	if (catalog_load(&c, "locales", where, sizeof(where)) != MJ_OK) {
		fprintf(stderr, "ussd_test: %s\n", where);
		return 1;
	}
	x.cat = c;
	x.src = &src;
	test_start_and_language();
	test_status_and_replay();
	test_bad_input();
	test_paging();
	test_eligibility();
	test_operator_and_state();
	test_bot();
	catalog_free(c);
	return check_done("ussd_test");
}
