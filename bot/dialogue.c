/*
 * dialogue.c - deciding the reply: the reply's language, the per-sender
 * limits, the answer to a message (status, language, commands, the answer
 * inside a question; eligibility.c answers its own topic) and its
 * rendering from the catalogues, made SMS-ready and kept within the
 * budget.  Everything here happens inside the message's transaction and
 * changes only the contact and the answer; bot.c stores them.
 *
 * Privacy: an application's status is told only when the phone the channel
 * proves (the SMS sender, a contact shared on Telegram) is the applicant's.
 * Unknown and not-yours get one and the same reply, so numbers cannot be
 * probed, and each contact may miss only status.max_misses times an hour.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "bot/bot_int.h"
#include "bot/dialogue.h"
#include "bot/keyboard.h"
#include "locales/sms.h"
#include "store/sms.h"

#define STATE_MORE	"more"		/* rest of a shortened SMS waits;
					 * "more.INTENT": the reply's intent */
#define STATE_APPNO	"await_app_no"	/* we asked for a number */
#define STATE_PHONE	"await_phone"	/* Telegram: asked to share the phone */
#define STATE_LANG	"await_lang"	/* offered languages 1-4 */

void
answer_say(struct answer *a, const char *msgid)
{
	snprintf(a->msgid, sizeof(a->msgid), "%s", msgid);
}

void
answer_arg(struct answer *a, const char *name, const char *value)
{
	if (a->nargs == ANSWER_MAX_ARGS)
		return;
	snprintf(a->vals[a->nargs], sizeof(a->vals[0]), "%s", value);
	a->args[a->nargs].name = name;
	a->args[a->nargs].value = a->vals[a->nargs];
	a->nargs++;
}

static void
date_arg(const struct bot *b, struct answer *a, enum lang lang,
    const char *name, const char *ymd)
{
	char	buf[96];
	int	y, m, d;

	if (ymd[0] == '\0' || sscanf(ymd, "%d-%d-%d", &y, &m, &d) != 3 ||
	    catalog_date(b->cat, lang, y, m, d, buf, sizeof(buf)) != MJ_OK)
		snprintf(buf, sizeof(buf), "%s", ymd);
	answer_arg(a, name, buf);
}

void
answer_date(const struct turn *t, const char *name, const char *ymd)
{
	date_arg(t->b, t->a, *t->lang, name, ymd);
}

void
turn_text(const struct turn *t, const char *msgid, char *buf, size_t len)
{
	char	*s = NULL;

	buf[0] = '\0';
	if (catalog_render(t->b->cat, *t->lang, msgid, NULL, 0, &s) == MJ_OK)
		snprintf(buf, len, "%s", s);
	free(s);
}

void
turn_state(struct turn *t, const char *state)
{
	snprintf(t->c->state, sizeof(t->c->state), "%s", state);
	t->c->state_data[0] = '\0';
	t->c->state_at = t->in->now;
}

enum mj_err
dialogue_status_look(struct bot *b, struct contact *c, const char *app_no,
    int64_t now, struct app_status *app, enum status_seen *seen)
{
	enum mj_err	rc;

	if (now - c->misses_since > 3600) {
		c->misses = 0;
		c->misses_since = now;
	}
	if (c->misses >= b->conf->status_max_misses) {
		*seen = STATUS_LIMIT;
		return MJ_OK;
	}
	if ((rc = store_app_get(b->st, app_no, app)) == MJ_EDB)
		return rc;
	*seen = rc == MJ_OK && c->phone[0] != '\0' &&
	    strcmp(app->phone, c->phone) == 0 ? STATUS_YOURS : STATUS_NONE;
	return MJ_OK;
}

static enum mj_err
status_answer(struct bot *b, struct contact *c, const char *app_no,
    enum lang lang, int64_t now, struct answer *a)
{
	struct app_status	 app;
	enum status_seen	 seen;
	enum mj_err		 rc;
	char			 key[48], *prog = NULL, pm[24];

	if ((rc = dialogue_status_look(b, c, app_no, now, &app, &seen)) !=
	    MJ_OK)
		return rc;
	if (seen == STATUS_LIMIT) {
		answer_say(a, "status.too_many");
		return MJ_OK;
	}
	if (seen == STATUS_NONE) {
		/* Telegram without a shared phone: ask for it first. */
		if (c->phone[0] == '\0' && strcmp(c->channel, "telegram") == 0) {
			/* Not a miss yet: ask who they are, then answer. */
			answer_say(a, "status.verify_telegram");
			a->kb = KB_SHARE_PHONE;
			snprintf(c->state, sizeof(c->state), "%s", STATE_PHONE);
			snprintf(c->state_data, sizeof(c->state_data), "%s",
			    app_no);
			c->state_at = now;
			return MJ_OK;
		}
		c->misses++;
		answer_say(a, "status.not_found");
		answer_arg(a, "app_no", app_no);
		return MJ_OK;
	}
	snprintf(key, sizeof(key), "status.%s", app.status);
	answer_say(a, key);
	answer_arg(a, "app_no", app.number);
	snprintf(key, sizeof(key), "programme.%s", app.programme);
	if (catalog_render(b->cat, lang, key, NULL, 0, &prog) == MJ_OK)
		answer_arg(a, "programme", prog);
	else {
		snprintf(pm, sizeof(pm), "%s", app.programme);
		answer_arg(a, "programme", pm);
	}
	free(prog);
	date_arg(b, a, lang, "submitted", app.submitted);
	date_arg(b, a, lang, "decided", app.decided);
	date_arg(b, a, lang, "payment", app.payment);
	return MJ_OK;
}

/* A bare digit (surrounding blanks and a full stop allowed), or -1. */
static int
bare_digit(const char *text, size_t len)
{
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\n' ||
	    text[len - 1] == '\r' || text[len - 1] == '.'))
		len--;
	while (len > 0 && (*text == ' ' || *text == '\n')) {
		text++;
		len--;
	}
	return len == 1 && text[0] >= '0' && text[0] <= '9' ? text[0] - '0' :
	    -1;
}

static enum nlu_script
script_of(enum lang l)
{
	return l == LANG_UZ_CYRL || l == LANG_RU ? NLU_SCRIPT_CYRL :
	    NLU_SCRIPT_LATN;
}

/* l is the conversation's language now, and the contact's in its script. */
static void
remember_lang(struct contact *c, enum lang l)
{
	snprintf(c->lang, sizeof(c->lang), "%s", lang_tag(l));
	if (script_of(l) == NLU_SCRIPT_CYRL)
		snprintf(c->lang_cyrl, sizeof(c->lang_cyrl), "%s", lang_tag(l));
	else
		snprintf(c->lang_latn, sizeof(c->lang_latn), "%s", lang_tag(l));
}

static void
choose_lang(struct contact *c, enum lang *lang, enum lang pick,
    struct answer *a)
{
	*lang = pick;
	remember_lang(c, pick);
	c->lang_chosen = 1;
	answer_say(a, "language.set");
}

/*
 * The reply's language, remembered in the contact:
 * - a language the citizen chose (keyboard, "write in Russian") wins,
 *   until Telegram's /start, which takes the app's language;
 * - events and messages without letters (digits, a code, an emoji) keep
 *   the conversation's language;
 * - otherwise the reply is in the message's script, in the language its
 *   words say (uz-Cyrl or ru, uz-Latn or en); when they say neither
 *   ("СТОП", "Xiva", "статус AR-2025-000002"), in the contact's last
 *   language of that script, else lang.cyrillic_default or uz-Latn.
 *   Russian words in Latin letters ("status zayavki") are answered in
 *   Russian: there is no Latin Russian catalogue, and the words said
 *   Russian.
 * r->lang becomes the language judged for the message, so the stored row
 * and the metrics say what the reply assumed.
 */
enum lang
dialogue_lang(const struct bot *b, const struct bot_in *in,
    struct nlu_result *r, struct contact *c)
{
	int		lt = lang_from_tag(c->lang), ui, last;
	enum lang	l;
	enum nlu_script	script = in->event == BOT_TEXT ? r->script :
			    NLU_SCRIPT_NONE;

	if (in->event == BOT_START) {
		c->lang_chosen = 0;
		if (in->ui_lang != NULL &&
		    (ui = lang_from_tag(in->ui_lang)) >= 0) {
			/* The app's own language is the best first guess. */
			r->lang = (enum lang)ui;
			r->lang_sure = 1;
			remember_lang(c, r->lang);
			return r->lang;
		}
	} else if (c->lang_chosen && lt >= 0)
		return (enum lang)lt;
	/*
	 * An amount or a count ("30 mln", "5"), or STOP and START (which our
	 * own messages ask for in Latin letters), says nothing of the
	 * language: the conversation's stays.
	 */
	if (in->event == BOT_TEXT && lt >= 0 && r->app_no[0] == '\0' &&
	    (c->lang_latn[0] != '\0' || c->lang_cyrl[0] != '\0') &&
	    ((r->has_number && r->words <= 2) ||
	    (r->source == NLU_SRC_PATTERN && (r->intent == INTENT_OPT_OUT ||
	    r->intent == INTENT_OPT_IN) && !r->lang_sure && (script ==
	    NLU_SCRIPT_LATN || script == script_of((enum lang)lt))))) {
		r->lang = (enum lang)lt;
		return r->lang;
	}
	if (in->event != BOT_TEXT || script == NLU_SCRIPT_NONE) {
		r->lang = lt >= 0 ? (enum lang)lt : LANG_DEFAULT;
		return r->lang;
	}
	if (r->lang_sure && (script_of(r->lang) == script ||
	    r->lang == LANG_RU))
		l = r->lang;
	else if (r->lang_sure && (r->lang == LANG_UZ_LATN ||
	    r->lang == LANG_UZ_CYRL))
		/* Uzbek words, mostly in the other script's letters. */
		l = script == NLU_SCRIPT_CYRL ? LANG_UZ_CYRL : LANG_UZ_LATN;
	else if ((last = lang_from_tag(script == NLU_SCRIPT_CYRL ?
	    c->lang_cyrl : c->lang_latn)) >= 0 &&
	    script_of((enum lang)last) == script)
		l = (enum lang)last;
	else
		l = script == NLU_SCRIPT_CYRL ? b->cyrl_default :
		    LANG_UZ_LATN;
	r->lang = l;
	remember_lang(c, l);
	return l;
}

/*
 * Per-sender limits, so that a loop between two automatic systems cannot
 * run up a bill: 0 within them, 1 over them for the first time (answer
 * politely once), 2 over them again (stay silent).
 */
int
dialogue_rate(const struct bot *b, struct contact *c, int64_t now)
{
	if (now - c->rate_min_start >= 60) {
		c->rate_min_start = now;
		c->rate_min_count = 0;
	}
	if (now - c->rate_day_start >= 86400) {
		c->rate_day_start = now;
		c->rate_day_count = 0;
	}
	c->rate_min_count++;
	c->rate_day_count++;
	if (c->rate_min_count <= b->conf->rate_per_minute &&
	    c->rate_day_count <= b->conf->rate_per_day) {
		c->rate_warned = 0;
		return 0;
	}
	if (c->rate_warned)
		return 2;
	c->rate_warned = 1;
	return 1;
}

int
dialogue_place(struct bot *b, const struct bot_in *in, struct nlu_result *r,
    struct contact *c, enum lang *lang, struct answer *a,
    const char *was_cyrl, const char *was_latn)
{
	struct turn	 t = { b, in, r, c, lang, a };
	const char	*was;
	int		 wl;

	if (!eligibility_names_place(&t))	/* "Xiva" alone */
		return 0;
	was = script_of(*lang) == NLU_SCRIPT_CYRL ? was_cyrl : was_latn;
	wl = lang_from_tag(was);
	r->intent = INTENT_OFFICE_LOCATION;
	/* A name says no language: the script's last one. */
	if (!c->lang_chosen && wl >= 0 &&
	    script_of((enum lang)wl) == script_of(*lang)) {
		*lang = r->lang = (enum lang)wl;
		remember_lang(c, *lang);
	}
	return 1;
}

enum mj_err
dialogue_decide(struct bot *b, const struct bot_in *in,
    const struct nlu_result *r, struct contact *c, enum lang *lang,
    struct answer *a)
{
	const char	*app_no = r->app_no;

	if (in->event == BOT_TEXT && strncmp(c->state, STATE_MORE,
	    strlen(STATE_MORE)) == 0 && (c->state[strlen(STATE_MORE)] ==
	    '\0' || c->state[strlen(STATE_MORE)] == '.') &&
	    bare_digit(in->text, in->len) == 1) {
		int	i = intent_from_name(c->state + strlen(STATE_MORE) +
			    (c->state[strlen(STATE_MORE)] == '.'));

		a->answers = i > 0 ? (enum intent)i : INTENT_UNKNOWN;
		a->verbatim = c->state_data;
		return MJ_OK;
	}
	if (in->event == BOT_TEXT && strcmp(c->state, STATE_LANG) == 0) {
		/* The offer lists the languages as 1-4, in enum lang's order. */
		int d = bare_digit(in->text, in->len);

		if (d >= 1 && d <= LANG__COUNT) {
			a->answers = INTENT_LANGUAGE_CHANGE;
			choose_lang(c, lang, (enum lang)(d - 1), a);
			goto reset;
		}
	}
	/* Channel events are commands and keyboard answers, never misses. */
	switch (in->event) {
	case BOT_TEXT:
	case BOT_USSD:		/* bot.c hands these to ussd_bot.c */
		break;
	case BOT_START:
		a->answers = INTENT_GREETING;
		answer_say(a, "greeting");
		a->kb = KB_LANGS;
		goto reset;
	case BOT_HELP:
		a->answers = INTENT_HELP;
		answer_say(a, "help");
		goto reset;
	case BOT_LANG_MENU:
		a->answers = INTENT_LANGUAGE_CHANGE;
		answer_say(a, "language.ask");
		a->kb = KB_LANGS;
		goto reset;
	case BOT_LANG_PICK:
		a->answers = INTENT_LANGUAGE_CHANGE;
		choose_lang(c, lang, (enum lang)in->lang_pick, a);
		if (c->phone[0] == '\0' && strcmp(c->channel, "telegram") == 0)
			a->kb = KB_SHARE_PHONE;
		return MJ_OK;
	case BOT_CONTACT:
		/* The phone is asked for to tell an application's status. */
		a->answers = INTENT_STATUS_CHECK;
		a->kb = KB_REMOVE;
		if (strcmp(c->state, STATE_PHONE) == 0 &&
		    c->state_data[0] != '\0') {
			char	pending[20];

			snprintf(pending, sizeof(pending), "%.19s", c->state_data);
			c->state[0] = '\0';
			c->state_data[0] = '\0';
			return status_answer(b, c, pending, *lang, in->now, a);
		}
		answer_say(a, "contact.saved");
		goto reset;
	case BOT_CONTACT_OTHER:
		a->answers = INTENT_STATUS_CHECK;
		answer_say(a, "contact.not_yours");
		a->kb = KB_SHARE_PHONE;
		return MJ_OK;
	}
	{
		struct turn t = { b, in, r, c, lang, a };

		if (eligibility_owns(&t))
			return eligibility_decide(&t);
	}
	if (app_no[0] != '\0' && (r->intent == INTENT_STATUS_CHECK ||
	    r->intent == INTENT_UNKNOWN || strcmp(c->state, STATE_APPNO) == 0))
		return status_answer(b, c, app_no, *lang, in->now, a);

	switch (r->intent) {
	case INTENT_STATUS_CHECK:
		answer_say(a, "status.ask_number");
		snprintf(c->state, sizeof(c->state), "%s", STATE_APPNO);
		c->state_at = in->now;
		return MJ_OK;
	case INTENT_GREETING:
		answer_say(a, "greeting");
		break;
	case INTENT_THANKS:
		answer_say(a, "thanks");
		break;
	case INTENT_HELP:
		answer_say(a, "help");
		break;
	case INTENT_HUMAN_OPERATOR:
		answer_say(a, "operator.queued");
		break;
	case INTENT_LANGUAGE_CHANGE:
		if (r->lang_choice >= 0 && r->lang_choice < LANG__COUNT) {
			choose_lang(c, lang, (enum lang)r->lang_choice, a);
			break;
		}
		answer_say(a, "language.ask");
		a->kb = KB_LANGS;
		snprintf(c->state, sizeof(c->state), "%s", STATE_LANG);
		c->state_at = in->now;
		return MJ_OK;
	case INTENT_OPT_OUT:
		if (r->confirm) {	/* the model's guess: STOP confirms */
			answer_say(a, "optout.confirm");
			break;
		}
		c->opted_out = 1;
		if (store_cancel_notices(b->st, c->id) != MJ_OK)
			return MJ_EDB;
		answer_say(a, "optout.done");
		break;
	case INTENT_OPT_IN:
		c->opted_out = 0;
		answer_say(a, "optin.done");
		break;
	default:
		answer_say(a, "unknown");
		break;
	}
reset:
	c->state[0] = '\0';
	c->state_data[0] = '\0';
	return MJ_OK;
}

/* Copy what fits, never ending inside a UTF-8 sequence. */
static void
copy_utf8(char *dst, size_t size, const char *src)
{
	size_t	n = strlen(src);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* For SMS: made cheap and kept within the budget. */
enum mj_err
dialogue_render(struct bot *b, const struct bot_in *in, struct contact *c,
    enum lang lang, const struct answer *a, enum intent intent,
    struct bot_out *out)
{
	char		*text = NULL, *sms = NULL, *head = NULL, *rest = NULL,
			*hint = NULL;
	struct sms_info	 info;
	enum mj_err	 rc;

	if (a->verbatim != NULL)
		rc = (text = strdup(a->verbatim)) == NULL ? MJ_ENOMEM : MJ_OK;
	else
		rc = catalog_render(b->cat, lang, a->msgid, a->args, a->nargs,
		    &text);
	if (rc != MJ_OK) {
		log_err("bot.render", "req=%s msgid=%s lang=%s err=\"%s\"",
		    in->req, a->msgid, lang_tag(lang), mj_strerror(rc));
		return rc;
	}
	if (a->verbatim != NULL) {
		c->state[0] = '\0';
		c->state_data[0] = '\0';
	}
	if (!bot_channel_is_sms(in->channel)) {
		if (strcmp(in->channel, "telegram") == 0 &&
		    (rc = keyboard_json(b->cat, a->kb, lang, &out->markup)) !=
		    MJ_OK) {
			free(text);
			return rc;
		}
		out->text = text;
		return MJ_OK;
	}
	if ((rc = sms_prepare(text, strlen(text), &sms)) != MJ_OK)
		goto fail;
	if ((rc = catalog_render(b->cat, lang, "sms.more", NULL, 0, &hint)) !=
	    MJ_OK || (rc = sms_fit(sms, b->conf->sms_budget, hint, &head,
	    &rest)) != MJ_OK)
		goto fail;
	if (rest != NULL) {
		/* The head says how to get the rest, which waits for "1". */
		size_t	 n = strlen(head) + strlen(hint) + 2;
		char	*h = malloc(n);

		if (h == NULL) {
			rc = MJ_ENOMEM;
			goto fail;
		}
		snprintf(h, n, "%s %s", head, hint);
		free(head);
		head = h;
		/* "1" answers this reply: it is recorded with its intent. */
		snprintf(c->state, sizeof(c->state), "%s.%s", STATE_MORE,
		    intent_name(intent));
		copy_utf8(c->state_data, sizeof(c->state_data), rest);
		c->state_at = in->now;
	}
	sms_measure(head, strlen(head), &info);
	out->gsm7 = info.coding == SMS_GSM7;
	out->segments = info.segments;
	out->text = head;
	head = NULL;
fail:
	free(text);
	free(sms);
	free(hint);
	free(head);
	free(rest);
	return rc;
}
