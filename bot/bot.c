/*
 * bot.c - the dialogue.  Decides the reply (a catalogue message id and its
 * parameters) from the understood message and the contact's state, and
 * records everything of one message in one transaction.
 *
 * Privacy: an application's status is told only when the phone the channel
 * proves (the SMS sender, a contact shared on Telegram) is the applicant's.
 * Unknown and not-yours get one and the same reply, so numbers cannot be
 * probed, and each contact may miss only status.max_misses times an hour.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>

#include "base/log.h"
#include "base/metrics.h"
#include "bot/bot.h"
#include "bot/dialogue.h"
#include "bot/keyboard.h"
#include "locales/sms.h"
#include "store/index.h"
#include "store/sms.h"

#define STATE_MORE	"more"		/* rest of a shortened SMS waits;
					 * "more.INTENT": the reply's intent */
#define STATE_APPNO	"await_app_no"	/* we asked for a number */
#define STATE_PHONE	"await_phone"	/* Telegram: asked to share the phone */
#define STATE_LANG	"await_lang"	/* offered languages 1-4 */

struct bot_job {
	struct bot_in		 in;		/* strings point into buf */
	char			*buf;
	struct nlu_result	 r;
	struct bot_out		 out;
	enum mj_err		 rc;
	enum lang		 lang;
	const char		*event;
	struct timespec		 t0;
	void			(*done)(void *);
	void			*arg;
	struct bot_job		*next;
};

#define BATCH_MAX	256	/* messages in one transaction */

struct bot {
	const struct conf	*conf;
	struct store		*st;
	const struct nlu	*nlu;
	const struct catalog	*cat;
	enum lang		 cyrl_default;	/* lang.cyrillic_default */
	void			(*queued)(void *);
	void			*queued_arg;
	/* the group-commit writer */
	pthread_t		 writer;
	int			 writer_on;
	pthread_mutex_t		 qlock;
	pthread_cond_t		 qcond;
	pthread_cond_t		 icond;		/* wakes the indexer to stop */
	struct bot_job		*qhead, **qtail;
	int			 qstop;
	pthread_t		 indexer;
	/* committed batches waiting for the log to reach the disk */
	pthread_t		 syncer;
	pthread_cond_t		 scond;
	struct bot_job		*shead, **stail;
	int			 sstop;
};

enum mj_err
bot_new(struct bot **out, const struct conf *conf, struct store *st,
    const struct nlu *nlu, const struct catalog *cat)
{
	struct bot	*b;

	*out = NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return MJ_ENOMEM;
	b->conf = conf;
	b->st = st;
	b->nlu = nlu;
	b->cat = cat;
	b->cyrl_default = lang_from_tag(conf->lang_cyrl_default) == LANG_RU ?
	    LANG_RU : LANG_UZ_CYRL;
	pthread_mutex_init(&b->qlock, NULL);
	pthread_cond_init(&b->qcond, NULL);
	pthread_cond_init(&b->icond, NULL);
	pthread_cond_init(&b->scond, NULL);
	b->qtail = &b->qhead;
	b->stail = &b->shead;
	*out = b;
	return MJ_OK;
}

void
bot_free(struct bot *b)
{
	if (b == NULL)
		return;
	bot_stop_writer(b);
	pthread_mutex_destroy(&b->qlock);
	pthread_cond_destroy(&b->qcond);
	pthread_cond_destroy(&b->icond);
	pthread_cond_destroy(&b->scond);
	free(b);
}

void
bot_out_free(struct bot_out *o)
{
	if (o == NULL)
		return;
	free(o->text);
	free(o->markup);
	o->text = NULL;
	o->markup = NULL;
}

void
bot_on_queued(struct bot *b, void (*fn)(void *), void *arg)
{
	b->queued = fn;
	b->queued_arg = arg;
}

int
bot_channel_is_sms(const char *channel)
{
	return strcmp(channel, "sms") == 0 || strcmp(channel, "chat") == 0;
}

const struct conf *
bot_conf(const struct bot *b)
{
	return b->conf;
}

struct store *
bot_store(const struct bot *b)
{
	return b->st;
}

const struct catalog *
bot_catalog(const struct bot *b)
{
	return b->cat;
}

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

static enum mj_err
status_answer(struct bot *b, struct contact *c, const char *app_no,
    enum lang lang, int64_t now, struct answer *a)
{
	struct app_status	 app;
	enum mj_err		 rc;
	char			 key[48], *prog = NULL, pm[24];

	if (now - c->misses_since > 3600) {
		c->misses = 0;
		c->misses_since = now;
	}
	if (c->misses >= b->conf->status_max_misses) {
		answer_say(a, "status.too_many");
		return MJ_OK;
	}
	rc = store_app_get(b->st, app_no, &app);
	if (rc == MJ_EDB)
		return rc;
	if (rc == MJ_ENOTFOUND || c->phone[0] == '\0' ||
	    strcmp(app.phone, c->phone) != 0) {
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
static enum lang
reply_lang(const struct bot *b, const struct bot_in *in,
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
static int
rate_check(struct bot *b, struct contact *c, int64_t now)
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

/* Decide the answer; may change the contact (state, language, misses). */
static enum mj_err
decide(struct bot *b, const struct bot_in *in, const struct nlu_result *r,
    struct contact *c, enum lang *lang, struct answer *a)
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

static void
entities_str(const struct nlu_result *r, char *buf, size_t len)
{
	size_t	o = 0;

	buf[0] = '\0';
#define ENT(k, v) do {							\
	if ((v)[0] != '\0' && o < len)					\
		o += (size_t)snprintf(buf + o, len - o, "%s%s=%s",	\
		    o > 0 ? ";" : "", k, v);				\
} while (0)
	ENT("app_no", r->app_no);
	if (r->pinfl[0] != '\0' && o < len) {
		char m[24];
		ENT("pinfl", log_mask_pinfl(r->pinfl, m, sizeof(m)));
	}
	if (r->phone[0] != '\0' && o < len) {
		char m[24];
		ENT("phone", log_mask_phone(r->phone, m, sizeof(m)));
	}
	ENT("program", r->program);
	if (r->has_number && o < len)
		snprintf(buf + o, len - o, "%snumber=%g", o > 0 ? ";" : "",
		    r->number);
#undef ENT
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

/* Render, and for SMS make it cheap and keep it within the budget. */
static enum mj_err
render(struct bot *b, const struct bot_in *in, struct contact *c,
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

/*
 * What understood a message, as the messages row records it.  Without a
 * model nlu leaves source NONE even when a pattern decided.
 */
static const char *
source_name(const struct nlu_result *r)
{
	if (r->intent == INTENT_UNKNOWN)
		return "none";
	switch (r->source) {
	case NLU_SRC_MODEL:
		return "model";
	case NLU_SRC_RULE:
		return "rule";
	default:
		return "pattern";
	}
}

/*
 * A citizen's message an agent should label: one not understood, or one
 * the model alone understood less surely than nlu.review_below.
 */
static int
review_wanted(const struct bot *b, const struct nlu_result *r,
    const char *source)
{
	if (r->intent == INTENT_UNKNOWN)
		return 1;
	return strcmp(source, "model") == 0 &&
	    (double)r->prob * 100.0 < (double)b->conf->nlu_review_below;
}

/* The understanding of a message: done outside the store's lock. */
static enum mj_err
understand(struct bot *b, const struct bot_in *in, struct nlu_result *r)
{
	memset(r, 0, sizeof(*r));
	r->lang_choice = -1;
	if (in->event != BOT_TEXT)
		return MJ_OK;
	return nlu_understand(b->nlu, in->text, in->len, r);
}

/*
 * One message's step inside the caller's transaction: dedupe, contact,
 * decision, rendering and the rows.  On failure the caller rolls back
 * what this step wrote and out is freed here.  *lang_out and *logged
 * feed the log line written after the commit.
 */
static enum mj_err
step(struct bot *b, const struct bot_in *in, struct nlu_result *rp,
    struct bot_out *out, enum lang *lang_out, const char **event)
{
	struct nlu_result	 r = *rp;
	struct contact		 c;
	struct answer		 a;
	struct msg_row		 m;
	enum mj_err		 rc;
	enum lang		 lang;
	int64_t			 in_id = 0, out_id = 0;
	char			 ents[256], *prev = NULL;
	const char		*source = source_name(&r);
	char			 was_cyrl[sizeof(c.lang_cyrl)];
	char			 was_latn[sizeof(c.lang_latn)];
	int			 held, limited;

	memset(out, 0, sizeof(*out));
	memset(&a, 0, sizeof(a));
	out->intent = r.intent;
	*event = "msg.in";
	if (in->msg_id != NULL && (rc = store_inbound_seen(b->st, in->channel,
	    in->msg_id, &in_id, &prev)) != MJ_ENOTFOUND) {
		/* Seen before (or the look-up failed): no second step. */
		if (rc == MJ_OK) {
			*event = "msg.dup";
			out->duplicate = 1;
			out->text = prev;
			if (prev != NULL && bot_channel_is_sms(in->channel)) {
				struct sms_info info;

				sms_measure(prev, strlen(prev), &info);
				out->gsm7 = info.coding == SMS_GSM7;
				out->segments = info.segments;
			}
		}
		return rc;
	}
	if ((rc = store_contact_get(b->st, in->channel, in->address, in->now,
	    &c)) != MJ_OK)
		goto fail;
	if (in->phone != NULL && in->phone[0] != '\0')
		snprintf(c.phone, sizeof(c.phone), "%s", in->phone);
	snprintf(was_cyrl, sizeof(was_cyrl), "%s", c.lang_cyrl);
	snprintf(was_latn, sizeof(was_latn), "%s", c.lang_latn);
	lang = reply_lang(b, in, &r, &c);
	rp->lang = r.lang;
	*lang_out = lang;
	held = c.held_until > in->now;
	limited = held ? 0 : rate_check(b, &c, in->now);
	if (limited == 1)
		answer_say(&a, "rate.limited");
	else if (limited == 2)
		held = 1;	/* told once already: silent */
	if (!held && !limited && r.pattern_intent == INTENT_UNKNOWN) {
		struct turn t = { b, in, &r, &c, &lang, &a };

		if (eligibility_names_place(&t)) {	/* "Xiva" alone */
			const char	*was = script_of(lang) ==
			    NLU_SCRIPT_CYRL ? was_cyrl : was_latn;
			int		 wl = lang_from_tag(was);

			out->intent = r.intent = rp->intent =
			    INTENT_OFFICE_LOCATION;
			source = "rule";
			/* A name says no language: the script's last one. */
			if (!c.lang_chosen && wl >= 0 &&
			    script_of((enum lang)wl) == script_of(lang)) {
				lang = r.lang = rp->lang = (enum lang)wl;
				remember_lang(&c, lang);
				*lang_out = lang;
			}
		}
	}
	if (!held && !limited && (rc = decide(b, in, &r, &c, &lang, &a)) !=
	    MJ_OK)
		goto fail;
	if (a.answers != INTENT_UNKNOWN) {
		/* An answer inside a dialogue means what the dialogue asked. */
		out->intent = r.intent = rp->intent = a.answers;
		source = in->event == BOT_TEXT ? "dialogue" : "command";
	}
	out->lang = lang;
	*lang_out = lang;
	if (!held && (rc = render(b, in, &c, lang, &a, r.intent, out)) !=
	    MJ_OK)
		goto fail;

	entities_str(&r, ents, sizeof(ents));
	m = (struct msg_row){ .contact_id = c.id, .direction = "in",
	    .channel = in->channel, .channel_msg_id = in->msg_id,
	    .req = in->req, .body = "", .lang = lang_tag(r.lang),
	    .intent = intent_name(r.intent), .entities = ents,
	    .delivery = "received", .created_at = in->now,
	    .nlu_source = source, .nlu_prob = r.prob,
	    .review = in->event == BOT_TEXT && review_wanted(b, &r, source) };
	{
		/* The stored body is the text as received (it is valid UTF-8). */
		char *body = strndup(in->text, in->len);

		if (body == NULL) {
			rc = MJ_ENOMEM;
			goto fail;
		}
		m.body = body;
		rc = store_msg_add(b->st, &m, &in_id);
		free(body);
		if (rc != MJ_OK)
			goto fail;
	}
	if (held) {
		/* An agent has the conversation: stored, not answered. */
		*event = limited ? "msg.limited" : "msg.held";
		if ((rc = store_contact_save(b->st, &c, in->now)) != MJ_OK)
			goto fail;
		return MJ_OK;
	}
	m = (struct msg_row){ .contact_id = c.id, .direction = "out",
	    .channel = in->channel, .req = in->req, .reply_to = in_id,
	    .body = out->text, .lang = lang_tag(lang),
	    .intent = intent_name(r.intent),
	    .delivery = in->sync ? "sync" : "queued",
	    .encoding = bot_channel_is_sms(in->channel) ?
	    (out->gsm7 ? "gsm7" : "ucs2") : NULL,
	    .segments = out->segments, .created_at = in->now };
	if ((rc = store_msg_add(b->st, &m, &out_id)) != MJ_OK ||
	    (rc = store_outbox_add(b->st, out_id, in->channel, in->address,
	    in->sync ? "sync" : "pending", out->markup, in->provider, in->now,
	    in->now)) != MJ_OK ||
	    (rc = store_contact_save(b->st, &c, in->now)) != MJ_OK)
		goto fail;
	out->msg_id = out_id;
	return MJ_OK;
fail:
	bot_out_free(out);
	return rc;
}

/* The line a message leaves in the log, after its commit. */
static void
log_step(const struct bot_in *in, const struct bot_out *out,
    const struct nlu_result *r, enum lang lang, const char *event,
    const struct timespec *t0)
{
	struct timespec	t1;
	char		masked[24];

	if (strcmp(event, "msg.dup") != 0)
		metrics_inbound(metric_chan_of(in->channel), (int)r->intent,
		    (int)r->lang);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info(event, "req=%s chan=%s from=%s lang=%s intent=%s len=%zu "
	    "segments=%d us=%ld", in->req, in->channel,
	    log_mask_phone(in->phone != NULL ? in->phone : in->address, masked,
	    sizeof(masked)), lang_tag(lang), intent_name(r->intent), in->len,
	    out->segments, (long)((t1.tv_sec - t0->tv_sec) * 1000000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000));
}

static void	run_batch(struct bot *, struct bot_job *);

static void
nothing(void *arg)
{
	(void)arg;
}

/* One message on the caller's thread: a batch of one, the same path. */
enum mj_err
bot_handle(struct bot *b, const struct bot_in *in, struct bot_out *out)
{
	struct bot_job	*j;
	enum mj_err	 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = bot_job_new(b, in, nothing, NULL, &j)) != MJ_OK)
		return rc;
	run_batch(b, j);
	rc = bot_job_result(j, out);
	bot_job_free(j);
	return rc;
}

enum mj_err
bot_send_text(struct bot *b, int64_t contact_id, const char *text,
    const char *intent, const char *req, int64_t now, int64_t *msg_id)
{
	struct contact	 c;
	struct msg_row	 m;
	struct sms_info	 info;
	char		*body = NULL;
	enum mj_err	 rc;
	int64_t		 id = 0;
	int		 sms;

	if ((rc = store_begin(b->st)) != MJ_OK)
		return rc;
	if ((rc = store_contact_by_id(b->st, contact_id, &c)) != MJ_OK)
		goto out;
	sms = bot_channel_is_sms(c.channel);
	if (sms) {
		if ((rc = sms_prepare(text, strlen(text), &body)) != MJ_OK)
			goto out;
		sms_measure(body, strlen(body), &info);
	} else if ((body = strdup(text)) == NULL) {
		rc = MJ_ENOMEM;
		goto out;
	}
	m = (struct msg_row){ .contact_id = c.id, .direction = "out",
	    .channel = c.channel, .req = req, .body = body, .lang = c.lang,
	    .intent = intent, .delivery = "queued",
	    .encoding = sms ? (info.coding == SMS_GSM7 ? "gsm7" : "ucs2") :
	    NULL, .segments = sms ? info.segments : 0, .created_at = now };
	if ((rc = store_msg_add(b->st, &m, &id)) != MJ_OK ||
	    (rc = store_outbox_add(b->st, id, c.channel, c.address, "pending",
	    NULL, sms ? b->conf->sms_provider : NULL, now, now)) != MJ_OK)
		goto out;
out:
	free(body);
	if (store_end(b->st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc == MJ_OK) {
		if (msg_id != NULL)
			*msg_id = id;
		if (b->queued != NULL)
			b->queued(b->queued_arg);
	}
	return rc;
}


/* Copy the strings of in into one buffer the job owns. */
static enum mj_err
job_copy(struct bot_job *j, const struct bot_in *in)
{
	const char	*src[7] = { in->channel, in->provider, in->ui_lang,
			    in->address, in->phone, in->msg_id, in->req };
	const char	**dst[7] = { &j->in.channel, &j->in.provider,
			    &j->in.ui_lang, &j->in.address, &j->in.phone,
			    &j->in.msg_id, &j->in.req };
	size_t		 n = in->len + 1, o = 0;
	char		*text;

	for (int i = 0; i < 7; i++)
		n += src[i] != NULL ? strlen(src[i]) + 1 : 0;
	if ((j->buf = malloc(n)) == NULL)
		return MJ_ENOMEM;
	j->in = *in;
	for (int i = 0; i < 7; i++) {
		if (src[i] == NULL) {
			*dst[i] = NULL;
			continue;
		}
		memcpy(j->buf + o, src[i], strlen(src[i]) + 1);
		*dst[i] = j->buf + o;
		o += strlen(src[i]) + 1;
	}
	text = j->buf + o;
	memcpy(text, in->text, in->len);
	text[in->len] = '\0';
	j->in.text = text;
	return MJ_OK;
}

enum mj_err
bot_job_new(struct bot *b, const struct bot_in *in, void (*done)(void *),
    void *arg, struct bot_job **out)
{
	struct bot_job	*j;
	enum mj_err	 rc;

	*out = NULL;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return MJ_ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &j->t0);
	if ((rc = understand(b, in, &j->r)) != MJ_OK ||
	    (rc = job_copy(j, in)) != MJ_OK) {
		bot_job_free(j);
		return rc;
	}
	j->done = done;
	j->arg = arg;
	j->lang = LANG_DEFAULT;
	j->event = "msg.in";
	*out = j;
	return MJ_OK;
}

void
bot_job_queue(struct bot *b, struct bot_job *j)
{
	pthread_mutex_lock(&b->qlock);
	if (b->qstop || !b->writer_on) {
		/* No writer (a command, or shutting down): do it here. */
		pthread_mutex_unlock(&b->qlock);
		run_batch(b, j);
		return;
	}
	*b->qtail = j;
	b->qtail = &j->next;
	pthread_cond_signal(&b->qcond);
	pthread_mutex_unlock(&b->qlock);
}

enum mj_err
bot_job_result(struct bot_job *j, struct bot_out *out)
{
	*out = j->out;
	memset(&j->out, 0, sizeof(j->out));
	return j->rc;
}

void
bot_job_free(struct bot_job *j)
{
	if (j == NULL)
		return;
	bot_out_free(&j->out);
	free(j->buf);
	free(j);
}

/*
 * A batch's steps in one transaction.  First without savepoints: if a
 * step fails, the whole transaction is undone and the batch runs again
 * with a savepoint per message, so that only the failed one is lost.
 * The commit does not wait for the disk: batch_finish() does, after
 * store_sync(), before anyone is answered.
 */
static void
batch_commit(struct bot *b, struct bot_job *list)
{
	struct bot_job	*j;
	enum mj_err	 rc;
	int		 fast = 1;

again:
	if ((rc = store_begin_derived(b->st)) != MJ_OK) {
		for (j = list; j != NULL; j = j->next)
			j->rc = rc;
		return;
	}
	for (j = list; j != NULL; j = j->next) {
		if (!fast && (j->rc = store_savepoint(b->st)) != MJ_OK)
			continue;
		j->rc = step(b, &j->in, &j->r, &j->out, &j->lang, &j->event);
		if (fast && j->rc != MJ_OK) {
			store_end(b->st, 0);
			for (j = list; j != NULL; j = j->next)
				bot_out_free(&j->out);
			fast = 0;
			goto again;
		}
		if (!fast && store_savepoint_end(b->st, j->rc == MJ_OK) !=
		    MJ_OK && j->rc == MJ_OK) {
			bot_out_free(&j->out);
			j->rc = MJ_EDB;
		}
	}
	if (store_end(b->st, 1) != MJ_OK) {
		/* Nothing of the batch is stored: none may be acknowledged. */
		for (j = list; j != NULL; j = j->next)
			if (j->rc == MJ_OK) {
				bot_out_free(&j->out);
				j->rc = MJ_EDB;
			}
	}
}

/* After store_sync() said sync_rc: answer the batch. */
static void
batch_finish(struct bot *b, struct bot_job *list, enum mj_err sync_rc)
{
	struct bot_job	*j, *next;
	int		 queued = 0;

	for (j = list; j != NULL; j = j->next) {
		if (j->rc != MJ_OK)
			continue;
		if (sync_rc != MJ_OK) {
			/* Stored, but not surely: the sender will retry. */
			bot_out_free(&j->out);
			j->rc = sync_rc;
			continue;
		}
		queued |= !j->in.sync && !j->out.duplicate;
		log_step(&j->in, &j->out, &j->r, j->lang, j->event, &j->t0);
	}
	if (queued && b->queued != NULL)
		b->queued(b->queued_arg);
	for (j = list; j != NULL; j = next) {
		next = j->next;
		j->next = NULL;
		j->done(j->arg);	/* the job may be freed from here on */
	}
}

/* One batch on the caller's thread, answered when durable. */
static void
run_batch(struct bot *b, struct bot_job *list)
{
	batch_commit(b, list);
	batch_finish(b, list, store_sync(b->st));
}

static void *
writer(void *arg)
{
	struct bot	*b = arg;

	pthread_setname_np(pthread_self(), "mj-writer");
	for (;;) {
		struct bot_job	*list, **tail;
		int		 n = 0;

		pthread_mutex_lock(&b->qlock);
		while (b->qhead == NULL && !b->qstop)
			pthread_cond_wait(&b->qcond, &b->qlock);
		if (b->qhead == NULL) {
			pthread_mutex_unlock(&b->qlock);
			break;
		}
		/* Take up to BATCH_MAX; the rest waits for the next round. */
		list = b->qhead;
		tail = &b->qhead;
		while (*tail != NULL && n < BATCH_MAX) {
			tail = &(*tail)->next;
			n++;
		}
		b->qhead = *tail;
		*tail = NULL;
		if (b->qhead == NULL)
			b->qtail = &b->qhead;
		pthread_mutex_unlock(&b->qlock);
		batch_commit(b, list);
		/* The syncer answers it; the next batch goes on meanwhile. */
		pthread_mutex_lock(&b->qlock);
		*b->stail = list;
		while (*b->stail != NULL)
			b->stail = &(*b->stail)->next;
		pthread_cond_signal(&b->scond);
		pthread_mutex_unlock(&b->qlock);
	}
	return NULL;
}

/*
 * One fdatasync of the log for every batch committed since the last one:
 * the disk's wait overlaps the writer's next transaction.
 */
static void *
syncer(void *arg)
{
	struct bot	*b = arg;

	pthread_setname_np(pthread_self(), "mj-syncer");
	for (;;) {
		struct bot_job	*list;

		pthread_mutex_lock(&b->qlock);
		while (b->shead == NULL && !b->sstop)
			pthread_cond_wait(&b->scond, &b->qlock);
		list = b->shead;
		b->shead = NULL;
		b->stail = &b->shead;
		pthread_mutex_unlock(&b->qlock);
		if (list == NULL)
			break;	/* stopped, and nothing waits */
		batch_finish(b, list, store_sync(b->st));
	}
	return NULL;
}

/*
 * The help desk's summaries and search index follow the messages in
 * batches, about twice a second (and before each help-desk request).
 */
static void *
indexer(void *arg)
{
	struct bot	*b = arg;
	struct timespec	 until;
	int		 n, stop = 0;

	pthread_setname_np(pthread_self(), "mj-indexer");
	while (!stop) {
		/* Small batches: the lock is shared with the writer. */
		while (store_index_pending(b->st, 500, &n) == MJ_OK &&
		    n == 500)
			;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 500 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&b->qlock);
		if (!b->qstop)
			pthread_cond_timedwait(&b->icond, &b->qlock, &until);
		stop = b->qstop;
		pthread_mutex_unlock(&b->qlock);
	}
	store_index_pending(b->st, 1000000, &n);
	return NULL;
}

static void
stop_syncer(struct bot *b)
{
	pthread_mutex_lock(&b->qlock);
	b->sstop = 1;
	pthread_cond_signal(&b->scond);
	pthread_mutex_unlock(&b->qlock);
	pthread_join(b->syncer, NULL);
}

enum mj_err
bot_start_writer(struct bot *b)
{
	if (b->writer_on)
		return MJ_OK;
	b->qstop = 0;
	b->sstop = 0;
	if (pthread_create(&b->syncer, NULL, syncer, b) != 0)
		return MJ_EINTERNAL;
	if (pthread_create(&b->writer, NULL, writer, b) != 0) {
		stop_syncer(b);
		return MJ_EINTERNAL;
	}
	if (pthread_create(&b->indexer, NULL, indexer, b) != 0) {
		pthread_mutex_lock(&b->qlock);
		b->qstop = 1;
		pthread_cond_signal(&b->qcond);
		pthread_mutex_unlock(&b->qlock);
		pthread_join(b->writer, NULL);
		stop_syncer(b);
		return MJ_EINTERNAL;
	}
	b->writer_on = 1;
	return MJ_OK;
}

void
bot_stop_writer(struct bot *b)
{
	if (!b->writer_on)
		return;
	pthread_mutex_lock(&b->qlock);
	b->qstop = 1;
	pthread_cond_signal(&b->qcond);
	pthread_cond_signal(&b->icond);
	pthread_mutex_unlock(&b->qlock);
	pthread_join(b->writer, NULL);
	stop_syncer(b);		/* after the writer: what it committed is answered */
	pthread_join(b->indexer, NULL);
	b->writer_on = 0;
}
