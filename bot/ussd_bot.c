/*
 * ussd_bot.c - one USSD request inside the writer's transaction (bot.c
 * hands it over after deduplication, so a replayed request gets the screen
 * it got): the session, the state machine (ussd.c) on the store's data,
 * and the rows the help desk reads.
 *
 * The session lives in the phone's USSD contact (channel "ussd"): its
 * dialogue state holds the provider's session id, the text the last
 * request carried (its length and hash) and the machine's state.  It is
 * written in the same transaction as the rows, so a restart resumes the
 * session where it was and a batch rolled back leaves it as it was.  A
 * session unheard of for ussd.session_ttl seconds, or another session id,
 * starts at the first screen.
 *
 * Privacy: a status is told only to the applicant's phone (the one the
 * operator's network gives); the misses count on the phone's SMS contact,
 * against the same status.max_misses as SMS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "bot/bot_int.h"
#include "bot/dialogue.h"
#include "bot/elig_text.h"
#include "bot/ussd_int.h"

#define STATE_USSD	"ussd"

static struct ussd_store *
ctx_of(void *arg)
{
	return arg;
}

static enum mj_err
read_codes(struct ussd_store *u)
{
	char		 buf[USSD_CODES_MAX * 24], *c, *save = NULL;
	enum mj_err	 rc;

	if (u->ncodes >= 0)
		return MJ_OK;
	if ((rc = store_rules_codes(bot_store(u->b), buf, sizeof(buf))) !=
	    MJ_OK)
		return rc;
	u->ncodes = 0;
	for (c = strtok_r(buf, ";", &save); c != NULL &&
	    u->ncodes < USSD_CODES_MAX; c = strtok_r(NULL, ";", &save))
		snprintf(u->codes[u->ncodes++], sizeof(u->codes[0]), "%s", c);
	return MJ_OK;
}

/* Programme i of the list, read once a request. */
static enum mj_err
prog(struct ussd_store *u, int i, const struct prog_def **out)
{
	enum mj_err	rc;

	if ((rc = read_codes(u)) != MJ_OK)
		return rc;
	if (i < 0 || i >= u->ncodes)
		return MJ_ENOTFOUND;
	if (u->prog == NULL && (u->prog = malloc(sizeof(*u->prog))) == NULL)
		return MJ_ENOMEM;
	if (u->prog_i != i) {
		u->prog_i = -2;
		if ((rc = store_rules_get(bot_store(u->b), u->codes[i],
		    u->prog)) != MJ_OK)
			return rc;
		u->prog_i = i;
	}
	*out = u->prog;
	return MJ_OK;
}

static enum mj_err
office(struct ussd_store *u, int i, const struct office **out)
{
	enum mj_err	rc;

	if (u->office == NULL &&
	    (u->office = malloc(sizeof(*u->office))) == NULL)
		return MJ_ENOMEM;
	if (u->office_i != i) {
		u->office_i = -2;
		if ((rc = store_rules_office_at(bot_store(u->b), i,
		    u->office)) != MJ_OK)
			return rc;
		u->office_i = i;
	}
	*out = u->office;
	return MJ_OK;
}

static enum mj_err
src_count(void *arg, enum ussd_list list, int *n)
{
	struct ussd_store	*u = ctx_of(arg);
	const struct office	*o;
	enum mj_err		 rc;

	if (list == USSD_LIST_PROGS) {
		rc = read_codes(u);
		*n = u->ncodes;
		return rc;
	}
	if (u->ndistricts < 0) {
		int k = 0;

		while (k < 1000 && (rc = office(u, k, &o)) == MJ_OK)
			k++;
		if (k < 1000 && rc != MJ_ENOTFOUND)
			return rc;
		u->ndistricts = k;
	}
	*n = u->ndistricts;
	return MJ_OK;
}

static enum mj_err
src_name(void *arg, enum ussd_list list, int i, enum lang l, char *buf,
    size_t len)
{
	struct ussd_store	*u = ctx_of(arg);
	const struct prog_def	*p;
	const struct office	*o;
	enum mj_err		 rc;

	if (list == USSD_LIST_PROGS) {
		if ((rc = prog(u, i, &p)) == MJ_OK)
			snprintf(buf, len, "%s", elig_prog_text(p, l, PF_NAME));
		return rc;
	}
	if ((rc = office(u, i, &o)) == MJ_OK)
		snprintf(buf, len, "%s", o->name[l][0] != '\0' ? o->name[l] :
		    o->name[LANG_UZ_LATN]);
	return rc;
}

/* Append the facts of ask ("a;b;c") not yet in q. */
static void
add_questions(enum rules_fact *q, size_t max, size_t *n, const char *ask)
{
	char	buf[160], *f, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", ask);
	for (f = strtok_r(buf, ";", &save); f != NULL && *n < max;
	    f = strtok_r(NULL, ";", &save)) {
		int	fact = rules_fact_from_name(f), seen = 0;

		if (fact < 0 || fact >= FACT__ASKED)
			continue;
		for (size_t k = 0; k < *n; k++)
			seen |= q[k] == (enum rules_fact)fact;
		if (!seen)
			q[(*n)++] = (enum rules_fact)fact;
	}
}

/* The questions the SMS dialogue asks (eligibility.c), in its order. */
static enum mj_err
src_questions(void *arg, int i, enum rules_fact *q, size_t max, size_t *n)
{
	struct ussd_store	*u = ctx_of(arg);
	const struct prog_def	*p;
	char			 codes[512], *c, *save = NULL;
	enum mj_err		 rc;

	*n = 0;
	if (i >= 0) {
		if ((rc = prog(u, i, &p)) != MJ_OK)
			return rc;
		if (p->ncrit > 0)
			add_questions(q, max, n, p->ask);
		return MJ_OK;
	}
	if ((rc = store_rules_general(bot_store(u->b), codes,
	    sizeof(codes))) != MJ_OK)
		return rc;
	for (c = strtok_r(codes, ";", &save); c != NULL;
	    c = strtok_r(NULL, ";", &save))
		for (int k = 0; read_codes(u) == MJ_OK && k < u->ncodes; k++)
			if (strcmp(u->codes[k], c) == 0 && prog(u, k, &p) ==
			    MJ_OK)
				add_questions(q, max, n, p->ask);
	return MJ_OK;
}

static enum mj_err
src_text(void *arg, enum ussd_text kind, int i, enum lang l,
    const struct rules_answers *a, char *buf, size_t len)
{
	struct ussd_store	*u = ctx_of(arg);
	const struct catalog	*cat = bot_catalog(u->b);
	const struct prog_def	*p;
	const struct office	*o;
	enum mj_err		 rc;

	buf[0] = '\0';
	switch (kind) {
	case USSD_TEXT_VERDICT:
		if (i >= 0 && (rc = read_codes(u)) == MJ_OK && i < u->ncodes)
			return eligibility_verdict(u->b, l, u->codes[i], a, buf,
			    len);
		return eligibility_verdict(u->b, l, "*", a, buf, len);
	case USSD_TEXT_INFO:
	case USSD_TEXT_DOCS:
		if ((rc = prog(u, i, &p)) != MJ_OK)
			return rc;
		return kind == USSD_TEXT_INFO ? elig_info(cat, l, p, buf, len) :
		    elig_documents(cat, l, p, buf, len);
	case USSD_TEXT_OFFICE:
		if ((rc = office(u, i, &o)) != MJ_OK)
			return rc;
		return elig_office(cat, l, o, buf, len);
	}
	return MJ_EINTERNAL;
}

/*
 * The status look-up of the SMS dialogue (dialogue_status_look) on the
 * phone's SMS contact, so that a number guessed wrong costs the same try
 * by SMS or by USSD.
 */
static enum mj_err
src_status(void *arg, const char *app_no, enum ussd_found *found,
    struct app_status *app)
{
	struct ussd_store	*u = ctx_of(arg);
	struct contact		 sc;
	enum status_seen	 seen;
	enum mj_err		 rc;

	if ((rc = store_contact_get(bot_store(u->b), "sms", u->phone, u->now,
	    &sc)) != MJ_OK)
		return rc;
	if (sc.phone[0] == '\0')
		snprintf(sc.phone, sizeof(sc.phone), "%s", u->phone);
	if ((rc = dialogue_status_look(u->b, &sc, app_no, u->now, app,
	    &seen)) != MJ_OK)
		return rc;
	*found = seen == STATUS_YOURS ? USSD_FOUND : seen == STATUS_LIMIT ?
	    USSD_TOO_MANY : USSD_NOT_FOUND;
	if (seen == STATUS_NONE)
		sc.misses++;
	return store_contact_save(bot_store(u->b), &sc, u->now);
}

void
ussd_store_init(struct ussd_store *u, struct bot *b, const char *phone,
    int64_t now)
{
	memset(u, 0, sizeof(*u));
	u->b = b;
	u->phone = phone;
	u->now = now;
	u->ncodes = -1;
	u->ndistricts = -1;
	u->prog_i = u->office_i = -2;
	u->src = (struct ussd_src){ u, src_count, src_name, src_questions,
	    src_text, src_status };
}

void
ussd_store_free(struct ussd_store *u)
{
	free(u->prog);
	free(u->office);
	u->prog = NULL;
	u->office = NULL;
}

/* 16 hex digits of text[0..len)'s hash: the last text of a session. */
static void
text_hash(const char *text, size_t len, char out[17])
{
	unsigned char	h[8];

	crypto_generichash(h, sizeof(h), (const unsigned char *)text, len,
	    NULL, 0);
	sodium_bin2hex(out, 17, h, sizeof(h));
}

/* The session kept in the contact: "KEY\nLEN:HASH\nSTATE". */
struct session {
	size_t	last_len;
	char	last_hash[17];
};

static int
session_load(const struct contact *c, const char *key, int64_t now,
    int ttl, struct ussd_state *st, struct session *s)
{
	const char	*d = c->state_data, *nl, *nl2;
	size_t		 kl = strlen(key);
	char		*e;

	if (strcmp(c->state, STATE_USSD) != 0 || now - c->state_at > ttl ||
	    now < c->state_at - 60 || strncmp(d, key, kl) != 0 ||
	    d[kl] != '\n')
		return -1;
	d += kl + 1;
	if ((nl = strchr(d, '\n')) == NULL || (nl2 = strchr(d, ':')) == NULL ||
	    nl2 > nl || nl - nl2 - 1 != 16)
		return -1;
	s->last_len = (size_t)strtoul(d, &e, 10);
	if (e != nl2)
		return -1;
	memcpy(s->last_hash, nl2 + 1, 16);
	s->last_hash[16] = '\0';
	return ussd_load(st, nl + 1);
}

static enum mj_err
session_save(struct contact *c, const char *key, const char *text,
    size_t len, const struct ussd_state *st, int64_t now)
{
	char	hash[17], state[512];
	int	n;

	text_hash(text, len, hash);
	if (ussd_save(st, state, sizeof(state)) == -1)
		return MJ_EINTERNAL;
	n = snprintf(c->state_data, sizeof(c->state_data), "%s\n%zu:%s\n%s",
	    key, len, hash, state);
	if (n < 0 || (size_t)n >= sizeof(c->state_data))
		return MJ_EINTERNAL;
	snprintf(c->state, sizeof(c->state), "%s", STATE_USSD);
	c->state_at = now;
	return MJ_OK;
}

/* text follows the session's last text: the new inputs start at *from. */
static int
follows(const struct session *s, const char *text, size_t len, size_t *from)
{
	char	h[17];

	if (s->last_len >= len)
		return 0;
	if (s->last_len > 0 && text[s->last_len] != '*')
		return 0;
	text_hash(text, s->last_len, h);
	if (strcmp(h, s->last_hash) != 0)
		return 0;
	*from = s->last_len == 0 ? 0 : s->last_len + 1;
	return 1;
}

static int
same(const struct session *s, const char *text, size_t len)
{
	char	h[17];

	text_hash(text, len, h);
	return s->last_len == len && strcmp(h, s->last_hash) == 0;
}

static void
remember_lang(struct contact *c, enum lang l)
{
	snprintf(c->lang, sizeof(c->lang), "%s", lang_tag(l));
	c->lang_chosen = 1;
	if (l == LANG_UZ_CYRL || l == LANG_RU)
		snprintf(c->lang_cyrl, sizeof(c->lang_cyrl), "%s", lang_tag(l));
	else
		snprintf(c->lang_latn, sizeof(c->lang_latn), "%s", lang_tag(l));
}

/* The rows: what was typed, the screen shown, and the contact. */
static enum mj_err
store_rows(struct bot *b, const struct bot_in *in, struct contact *c,
    const char *typed, enum intent intent, enum lang lang,
    const char *app_no, struct bot_out *out)
{
	struct msg_row	 m;
	int64_t		 in_id = 0, out_id = 0;
	char		 ents[40];
	enum mj_err	 rc;

	snprintf(ents, sizeof(ents), "%s%s", app_no[0] != '\0' ? "app_no=" :
	    "", app_no);
	m = (struct msg_row){ .contact_id = c->id, .direction = "in",
	    .channel = in->channel, .channel_msg_id = in->msg_id,
	    .req = in->req, .body = typed, .lang = lang_tag(lang),
	    .intent = intent_name(intent), .entities = ents,
	    .delivery = "received", .created_at = in->now,
	    .nlu_source = "dialogue" };
	if ((rc = store_msg_add(b->st, &m, &in_id)) != MJ_OK)
		return rc;
	m = (struct msg_row){ .contact_id = c->id, .direction = "out",
	    .channel = in->channel, .req = in->req, .reply_to = in_id,
	    .body = out->text, .lang = lang_tag(lang),
	    .intent = intent_name(intent), .delivery = "sync",
	    .created_at = in->now };
	if ((rc = store_msg_add(b->st, &m, &out_id)) != MJ_OK ||
	    (rc = store_outbox_add(b->st, out_id, in->channel, in->address,
	    "sync", NULL, in->provider, in->now, in->now)) != MJ_OK ||
	    (rc = store_contact_save(b->st, c, in->now)) != MJ_OK)
		return rc;
	out->msg_id = out_id;
	return MJ_OK;
}


/*
 * The language of the phone's SMS conversation, when it has written one
 * (it chose a language, or its messages showed one); else -1.  A phone the
 * service knows starts at the main menu.
 */
static int
sms_lang(struct bot *b, const char *phone)
{
	struct contact	s;

	if (phone[0] == '\0' || store_contact_find(b->st, "sms", phone, &s) !=
	    MJ_OK)
		return -1;
	if (!s.lang_chosen && s.lang_cyrl[0] == '\0' && s.lang_latn[0] == '\0')
		return -1;
	return lang_from_tag(s.lang);
}

enum mj_err
ussd_step(struct bot *b, const struct bot_in *in, struct nlu_result *r,
    struct bot_out *out, enum lang *lang_out)
{
	struct contact		 c;
	struct ussd_store	 u;
	struct ussd_ctx		 x;
	struct ussd_state	 st;
	struct ussd_step	 step;
	struct ussd_screen	*scr = NULL;
	struct session		 sess;
	enum mj_err		 rc;
	char			 key[160];
	const char		*inputs = NULL, *typed = in->text;
	size_t			 from = 0, n;

	memset(out, 0, sizeof(*out));
	memset(&step, 0, sizeof(step));
	if ((rc = store_contact_get(b->st, in->channel, in->address, in->now,
	    &c)) != MJ_OK)
		return rc;
	if (in->phone != NULL && in->phone[0] != '\0')
		snprintf(c.phone, sizeof(c.phone), "%s", in->phone);
	snprintf(key, sizeof(key), "%s/%s", in->provider != NULL ?
	    in->provider : "", in->session != NULL ? in->session : "");
	ussd_store_init(&u, b, c.phone, in->now);
	x = (struct ussd_ctx){ b->cat, &u.src };
	if (session_load(&c, key, in->now, b->conf->ussd_session_ttl_s, &st,
	    &sess) == -1) {
		/*
		 * A new session, or one forgotten: the first screen, whatever
		 * the text already holds (a text typed before a restart that
		 * lost nothing is not this case: the session is stored).
		 */
		int	known = c.lang_chosen ? lang_from_tag(c.lang) :
			    sms_lang(b, c.phone);

		ussd_start(&st, known);
		step.intent = known >= 0 ? INTENT_GREETING :
		    INTENT_LANGUAGE_CHANGE;
		out->ussd_new = 1;
		if (in->len == 0 && in->service != NULL)
			typed = in->service;
	} else if (in->ussd_input) {
		inputs = in->text;	/* this request's input alone */
	} else if (follows(&sess, in->text, in->len, &from)) {
		inputs = in->text + from;
	} else if (same(&sess, in->text, in->len)) {
		step.intent = INTENT_GREETING;	/* replayed, unrecorded */
	} else {
		/* Not the path the session took: where it was, and why. */
		step.note = USSD_NOTE_PATH;
		ussd_note_at(&st);
		step.intent = INTENT_GREETING;
	}
	if (inputs != NULL) {
		typed = inputs;
		n = in->len - (size_t)(inputs - in->text);
		if ((rc = ussd_advance(&x, &st, inputs, n, &step)) != MJ_OK)
			goto out;
	}
	if ((scr = malloc(sizeof(*scr))) == NULL) {
		rc = MJ_ENOMEM;
		goto out;
	}
	if ((rc = ussd_render(&x, &st, step.note, scr)) != MJ_OK)
		goto out;
	if (!scr->fits)
		log_warn("ussd.too_long", "req=%s screen=%d lang=%s", in->req,
		    (int)st.scr, lang_tag(st.lang));
	n = strlen(scr->text) + 5;
	if ((out->text = malloc(n)) == NULL) {
		rc = MJ_ENOMEM;
		goto out;
	}
	snprintf(out->text, n, "%s %s", scr->end ? "END" : "CON", scr->text);
	if (step.lang_chosen)
		remember_lang(&c, st.lang);
	if (scr->end) {
		c.state[0] = '\0';	/* the session is over */
		c.state_data[0] = '\0';
	} else if ((rc = session_save(&c, key, in->text, in->len, &st,
	    in->now)) != MJ_OK)
		goto out;
	out->lang = *lang_out = r->lang = st.lang;
	out->intent = r->intent = step.intent;
	r->source = NLU_SRC_RULE;
	rc = store_rows(b, in, &c, typed, step.intent, st.lang, scr->app_no,
	    out);
out:
	free(scr);
	ussd_store_free(&u);
	if (rc != MJ_OK)
		bot_out_free(out);
	return rc;
}
