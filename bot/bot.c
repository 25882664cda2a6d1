/*
 * bot.c - one message's steps, in order: the job a message becomes
 * (understood in the caller's thread, outside the store's lock), then,
 * inside the transaction commit.c runs, its step: dedupe, the contact,
 * the reply's language and the answer (dialogue.c), the rendering, and the
 * rows (inbound, outbound, outbox, the contact).  commit.c commits, waits
 * for the disk and answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/metrics.h"
#include "bot/bot.h"
#include "bot/bot_int.h"
#include "bot/dialogue.h"
#include "locales/sms.h"
#include "store/sms.h"

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
	return strcmp(channel, "sms") == 0 || strcmp(channel, "chat") == 0 ||
	    strcmp(channel, "ussd") == 0;
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

/* Copy the strings of in into one buffer the job owns. */
static enum mj_err
job_copy(struct bot_job *j, const struct bot_in *in)
{
	const char	*src[9] = { in->channel, in->provider, in->ui_lang,
			    in->address, in->phone, in->msg_id, in->req,
			    in->session, in->service };
	const char	**dst[9] = { &j->in.channel, &j->in.provider,
			    &j->in.ui_lang, &j->in.address, &j->in.phone,
			    &j->in.msg_id, &j->in.req, &j->in.session,
			    &j->in.service };
	size_t		 n = in->len + 1, o = 0;
	char		*text;

	for (int i = 0; i < 9; i++)
		n += src[i] != NULL ? strlen(src[i]) + 1 : 0;
	if ((j->buf = malloc(n)) == NULL)
		return MJ_ENOMEM;
	j->in = *in;
	for (int i = 0; i < 9; i++) {
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

/* The entities, as the messages row records them (PINFL, phone masked). */
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

/*
 * Whether in was seen before: MJ_OK with out answered as a duplicate (the
 * stored reply), MJ_ENOTFOUND when it is new (or has no message id), or
 * the look-up's failure.  *msg_id: the id to store it under.
 */
static enum mj_err
seen_before(struct bot *b, const struct bot_in *in, char *stamped,
    size_t size, const char **msg_id, struct bot_out *out,
    const char **event)
{
	enum mj_err	 rc = MJ_ENOTFOUND;
	int64_t		 in_id = 0;
	char		*prev = NULL;

	*msg_id = in->msg_id;
	if (in->msg_id != NULL && in->msg_id_window > 0) {
		/* Stored with its time, so the same text later is new. */
		snprintf(stamped, size, "%s:%lld", in->msg_id,
		    (long long)in->now);
		*msg_id = stamped;
		rc = store_inbound_seen_since(b->st, in->channel, in->msg_id,
		    in->now - in->msg_id_window, &in_id, &prev);
	} else if (in->msg_id != NULL)
		rc = store_inbound_seen(b->st, in->channel, in->msg_id, &in_id,
		    &prev);
	if (rc != MJ_OK)
		return rc;
	*event = "msg.dup";
	metrics_duplicate(metric_chan_of(in->channel));
	out->duplicate = 1;
	out->text = prev;
	if (prev != NULL && bot_channel_is_sms(in->channel) &&
	    in->event != BOT_USSD) {	/* a screen, not SMS */
		struct sms_info info;

		sms_measure(prev, strlen(prev), &info);
		out->gsm7 = info.coding == SMS_GSM7;
		out->segments = info.segments;
	}
	return MJ_OK;
}

static enum mj_err	text_step(struct bot *, const struct bot_in *,
			    const char *, struct nlu_result *,
			    struct bot_out *, enum lang *, const char **);

/*
 * bot_job_queue() (commit.c) hands the job to the writer, which runs this
 * step for it inside a batch's transaction (bot_int.h).
 *
 * Several nodes on one PostgreSQL database: a redelivered message may
 * reach two of them at once; both find it new, and the unique index lets
 * one store it (store_msg_add() answers the other MJ_EINPUT after the
 * first committed).  The other then answers as for a duplicate found
 * above, with the stored reply, and keeps nothing of its step.  A batch's
 * first run has no savepoints (each is two round trips to the database):
 * MJ_EINPUT goes back to commit.c, which undoes the batch and runs it again
 * carefully (b->careful), a savepoint per message - and there this step
 * runs in a savepoint of its own, since the race may come again.
 */
enum mj_err
bot_step(struct bot *b, const struct bot_in *in, struct nlu_result *rp,
    struct bot_out *out, enum lang *lang_out, const char **event)
{
	struct nlu_result	 r0 = *rp;
	enum mj_err		 rc, e;
	char			 stamped[200];
	const char		*msg_id;
	int			 undo;

	memset(out, 0, sizeof(*out));
	out->intent = rp->intent;
	*event = "msg.in";
	rc = seen_before(b, in, stamped, sizeof(stamped), &msg_id, out, event);
	if (msg_id != NULL && rc != MJ_ENOTFOUND)
		return rc;	/* seen before (or the look-up failed) */
	undo = msg_id != NULL && store_is_pg(b->st) && b->careful;
	if (undo && (rc = store_savepoint(b->st)) != MJ_OK)
		return rc;
	if (in->event == BOT_USSD)
		rc = ussd_step(b, in, rp, out, lang_out);
	else
		rc = text_step(b, in, msg_id, rp, out, lang_out, event);
	if (!undo)
		return rc;
	if ((e = store_savepoint_end(b->st, rc == MJ_OK)) != MJ_OK &&
	    rc == MJ_OK) {
		bot_out_free(out);
		return e;
	}
	if (rc != MJ_EINPUT)
		return rc;
	/* Another node stored it meanwhile: its reply, nothing of ours. */
	bot_out_free(out);
	memset(out, 0, sizeof(*out));
	*rp = r0;
	out->intent = rp->intent;
	*event = "msg.in";
	rc = seen_before(b, in, stamped, sizeof(stamped), &msg_id, out, event);
	if (rc == MJ_ENOTFOUND) {
		log_warn("msg.dup", "req=%s chan=%s err=\"stored by another "
		    "node but not found\"", in->req, in->channel);
		rc = MJ_EDB;	/* the sender tries again */
	}
	return rc;
}

/* A new message of any event but USSD: the dialogue's step, stored. */
static enum mj_err
text_step(struct bot *b, const struct bot_in *in, const char *msg_id,
    struct nlu_result *rp, struct bot_out *out, enum lang *lang_out,
    const char **event)
{
	struct nlu_result	 r = *rp;
	struct contact		 c;
	struct answer		 a;
	struct msg_row		 m;
	enum mj_err		 rc;
	enum lang		 lang;
	int64_t			 in_id = 0, out_id = 0;
	char			 ents[256];
	const char		*source = source_name(&r);
	char			 was_cyrl[sizeof(c.lang_cyrl)];
	char			 was_latn[sizeof(c.lang_latn)];
	int			 held, limited;

	memset(&a, 0, sizeof(a));
	if ((rc = store_contact_get(b->st, in->channel, in->address, in->now,
	    &c)) != MJ_OK)
		goto fail;
	if (in->phone != NULL && in->phone[0] != '\0')
		snprintf(c.phone, sizeof(c.phone), "%s", in->phone);
	snprintf(was_cyrl, sizeof(was_cyrl), "%s", c.lang_cyrl);
	snprintf(was_latn, sizeof(was_latn), "%s", c.lang_latn);
	lang = dialogue_lang(b, in, &r, &c);
	rp->lang = r.lang;
	*lang_out = lang;
	held = c.held_until > in->now;
	limited = held ? 0 : dialogue_rate(b, &c, in->now);
	if (limited == 1)
		answer_say(&a, "rate.limited");
	else if (limited == 2)
		held = 1;	/* told once already: silent */
	if (!held && !limited && r.pattern_intent == INTENT_UNKNOWN &&
	    dialogue_place(b, in, &r, &c, &lang, &a, was_cyrl, was_latn)) {
		out->intent = rp->intent = r.intent;
		rp->lang = r.lang;
		*lang_out = lang;
		source = "rule";
	}
	if (!held && !limited && (rc = dialogue_decide(b, in, &r, &c, &lang,
	    &a)) != MJ_OK)
		goto fail;
	if (a.answers != INTENT_UNKNOWN) {
		/* An answer inside a dialogue means what the dialogue asked. */
		out->intent = r.intent = rp->intent = a.answers;
		source = in->event == BOT_TEXT ? "dialogue" : "command";
	}
	out->lang = lang;
	*lang_out = lang;
	if (!held && (rc = dialogue_render(b, in, &c, lang, &a, r.intent,
	    out)) != MJ_OK)
		goto fail;

	entities_str(&r, ents, sizeof(ents));
	m = (struct msg_row){ .contact_id = c.id, .direction = "in",
	    .channel = in->channel, .channel_msg_id = msg_id,
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
	commit_run(b, j);
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
