/*
 * api_conv.c - the inbox and one conversation: list with filters and
 * search, view (masked by role), reveal; the actions on a conversation
 * (take over, release, reply, notes, labels, resolve) are in api_act.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/lang.h"
#include "base/log.h"
#include "base/mask.h"
#include "gateway/api_int.h"
#include "store/helpdesk.h"

#define TASHKENT_UTC_OFFSET	(5 * 3600)	/* UTC+5 all year */
#define SNIPPET_CHARS	160		/* the inbox's last message */
#define MATCH_CHARS	200		/* a search's matching message */

/* "YYYY-MM-DD" (a Tashkent day) -> unix seconds of its midnight; -1. */
static int64_t
parse_day(const char *s)
{
	struct tm	tm;
	time_t		t;
	int		y, m, d;
	char		tail;

	if (s == NULL || strlen(s) != 10 ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	if (tm.tm_mday != d)		/* 31 February: no such day */
		return -1;
	return (int64_t)t - TASHKENT_UTC_OFFSET;
}

int64_t
api_day(const char *s)
{
	return parse_day(s);
}

static int
word_ok(const char *s, size_t max)
{
	size_t	n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

#define FOUND_AUDITED	16	/* contacts a search by phone audits */

struct inbox_ctx {
	struct api	*a;
	json_t		*items;
	int64_t		 last_at, last_id;
	int64_t		 found[FOUND_AUDITED];	/* the page's contacts */
	int		 nfound;
};

static int
mask_for(const struct api *a)
{
	(void)a;
	return 1;	/* every role sees masks; supervisors reveal one */
}

/* Bytes of the first chars characters of s (UTF-8; what substr counts). */
static size_t
cut_chars(const char *s, size_t chars)
{
	size_t	i = 0;

	for (; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && chars-- == 0)
			break;
	return i;
}

/*
 * text as the role may see it, cut to max characters (0: whole) after the
 * mask, never before: a cut identifier would escape it.
 */
static json_t *
masked_cut(const struct api *a, const char *text, size_t max)
{
	int	 changed;
	char	*m;
	json_t	*j;

	if (!mask_for(a))
		m = strdup(text);
	else
		m = mask_text(text, &changed);
	if (m == NULL)
		return NULL;
	if (max > 0)
		m[cut_chars(m, max)] = '\0';
	j = api_str(m);
	free(m);
	return j;
}

static json_t *
masked_text(const struct api *a, const char *text)
{
	return masked_cut(a, text, 0);
}

static int
inbox_row(void *arg, const struct hd_conv *c)
{
	struct inbox_ctx	*x = arg;
	char			 addr[80];
	json_t			*o;

	mask_phone(c->address, addr, sizeof(addr));
	o = json_pack("{s:I, s:s, s:o, s:s, s:o, s:s, s:s, s:s, s:s, s:s, "
	    "s:I, s:I, s:I, s:i, s:b, s:i, s:o}",
	    "id", (json_int_t)c->contact_id, "channel", c->channel,
	    "address", api_str(addr), "lang", c->lang,
	    "snippet", masked_cut(x->a, c->snippet, SNIPPET_CHARS),
	    "snippet_dir", c->snippet_in ? "in" : "out",
	    "last_dir", c->last_dir,
	    "last_intent", c->last_in_intent, "status", c->status,
	    "held_by", c->held_until > x->a->now ? c->held_by : "",
	    "held_until", (json_int_t)(c->held_until > x->a->now ?
	    c->held_until : 0), "last_at", (json_int_t)c->last_at,
	    "last_msg_id", (json_int_t)c->last_msg_id, "messages", c->msgs,
	    "needs_human", c->needs_human, "review", c->review,
	    "match", c->match_id > 0 ? masked_cut(x->a, c->match, MATCH_CHARS) :
	    json_null());
	if (o == NULL || json_array_append_new(x->items, o) != 0)
		return 1;
	x->last_at = c->last_at;
	x->last_id = c->match_id > 0 ? c->match_id : c->contact_id;
	if (x->nfound < FOUND_AUDITED)
		x->found[x->nfound++] = c->contact_id;
	return 0;
}

/*
 * A search by phone is an action on each contact it finds: one audit row
 * per contact (all in one transaction), or one without a contact when it
 * found none, each with the query masked.
 */
static void
audit_phone(struct api *a, const struct inbox_ctx *x, const char *detail)
{
	struct hd_audit	au = api_audit_row(a, "inbox", 0, detail);
	enum mj_err	rc;
	int		i = 0;

	if (store_begin(a->st) != MJ_OK)
		return;
	do {
		au.contact_id = i < x->nfound ? x->found[i] : 0;
		rc = store_audit_add(a->st, &au);
	} while (rc == MJ_OK && ++i < x->nfound);
	store_end(a->st, rc == MJ_OK);
}

enum MHD_Result
api_inbox(struct api *a)
{
	struct hd_filter	 f;
	struct inbox_ctx	 x = { .a = a };
	const char		*v;
	char			 fts[700], cursor[64], detail[400];
	enum api_search	 sk = API_SEARCH_TEXT;
	const char		*qv = NULL;
	enum mj_err		 rc;
	int			 more = 0, found;
	json_t			*out;

	memset(&f, 0, sizeof(f));
	f.now = a->now;
	f.limit = 50;
	if ((v = http_arg(a->conn, "needs_human", NULL)) != NULL)
		f.needs_human = strcmp(v, "1") == 0;
	if ((v = http_arg(a->conn, "unknown", NULL)) != NULL)
		f.unknown = strcmp(v, "1") == 0;
	if ((v = http_arg(a->conn, "review", NULL)) != NULL)
		f.review = strcmp(v, "1") == 0;
	if ((v = http_arg(a->conn, "replies", NULL)) != NULL)
		f.replies = strcmp(v, "1") == 0;
	if ((v = http_arg(a->conn, "channel", NULL)) != NULL && *v != '\0') {
		if (!word_ok(v, 15))
			return api_fail(a, 400, "bad_channel",
			    "channel: sms, telegram, chat, aggregator");
		f.channel = v;
	}
	if ((v = http_arg(a->conn, "lang", NULL)) != NULL && *v != '\0') {
		int l = lang_from_tag(v);

		if (l < 0)
			return api_fail(a, 400, "bad_lang",
			    "lang: uz-Latn, uz-Cyrl, ru or en");
		f.lang = lang_tag((enum lang)l);
	}
	if ((v = http_arg(a->conn, "status", NULL)) != NULL && *v != '\0') {
		if (strcmp(v, "open") == 0)
			f.status = HD_OPEN;
		else if (strcmp(v, "held") == 0)
			f.status = HD_HELD;
		else if (strcmp(v, "resolved") == 0)
			f.status = HD_RESOLVED;
		else
			return api_fail(a, 400, "bad_status",
			    "status: open, held or resolved");
	}
	if ((v = http_arg(a->conn, "from", NULL)) != NULL && *v != '\0' &&
	    (f.from = parse_day(v)) < 0)
		return api_fail(a, 400, "bad_date", "from: YYYY-MM-DD");
	if ((v = http_arg(a->conn, "to", NULL)) != NULL && *v != '\0') {
		if ((f.to = parse_day(v)) < 0)
			return api_fail(a, 400, "bad_date", "to: YYYY-MM-DD");
		f.to += 86400;		/* the whole day */
	}
	if ((v = http_arg(a->conn, "q", NULL)) != NULL && *v != '\0') {
		int64_t	retry;

		if (strlen(v) > 200 || (sk = api_search_kind(a, v, fts,
		    sizeof(fts))) == API_SEARCH_BAD)
			return api_fail(a, 400, "bad_query",
			    "q: up to 200 characters, with letters or digits");
		if ((retry = api_search_take(a)) > 0) {
			log_warn("helpdesk.search_limited", "req=%s staff=%s "
			    "retry_after=%lld", a->r->id, a->who.username,
			    (long long)retry);
			return api_limited(a, "too many searches; try again "
			    "later", retry);
		}
		if (sk == API_SEARCH_PHONE)
			f.phone = fts;
		else
			f.q = fts;
		f.ids = sk == API_SEARCH_ID;
		qv = v;
	}
	if ((v = http_arg(a->conn, "limit", NULL)) != NULL && *v != '\0') {
		char *end;
		long  n = strtol(v, &end, 10);

		if (*end != '\0' || n < 1 || n > 200)
			return api_fail(a, 400, "bad_limit", "limit: 1..200");
		f.limit = (int)n;
	}
	if ((v = http_arg(a->conn, "cursor", NULL)) != NULL && *v != '\0') {
		long long	at, id;
		char		tail;

		if (sscanf(v, "%lld:%lld%c", &at, &id, &tail) != 2 || at < 0 ||
		    id <= 0)
			return api_fail(a, 400, "bad_cursor",
			    "cursor: as returned in next");
		f.cur_at = at;
		f.cur_id = id;
	}
	if ((x.items = json_array()) == NULL)
		return api_fail_rc(a, MJ_ENOMEM);
	rc = store_hd_inbox(a->st, &f, inbox_row, &x, &more);
	if (rc != MJ_OK) {
		json_decref(x.items);
		if (rc == MJ_EINPUT)
			return api_fail(a, http_status(rc), "bad_query",
			    "the search could not be read");
		return api_fail_rc(a, rc);
	}
	snprintf(cursor, sizeof(cursor), "%lld:%lld", (long long)x.last_at,
	    (long long)x.last_id);
	found = (int)json_array_size(x.items);
	out = json_pack("{s:o, s:o}", "items", x.items, "next",
	    more ? api_str(cursor) : json_null());
	/*
	 * Searching is an action; the words are not kept (personal data).  A
	 * search by an identifier keeps its query in the audit row (the log
	 * gets it masked); one by phone keeps it masked, with the contacts it
	 * found: who looked for whom.
	 */
	snprintf(detail, sizeof(detail), "human=%d unknown=%d review=%d "
	    "channel=%s lang=%s status=%d search=%d replies=%d", f.needs_human,
	    f.unknown, f.review,
	    f.channel != NULL ? f.channel : "-", f.lang != NULL ? f.lang : "-",
	    (int)f.status, qv != NULL, f.replies);
	if (sk == API_SEARCH_PHONE) {
		char	m[40];

		mask_phone(f.phone, m, sizeof(m));
		snprintf(detail + strlen(detail), sizeof(detail) -
		    strlen(detail), " by=phone q=%s found=%d", m, found);
		log_info("helpdesk.search", "req=%s staff=%s by=phone q=\"%s\" "
		    "found=%d", a->r->id, a->who.username, m, found);
		audit_phone(a, &x, detail);
		return api_json(a, 200, out);
	}
	if (qv != NULL && sk == API_SEARCH_ID) {
		int	 changed;
		char	*m = mask_text(qv, &changed);

		snprintf(detail + strlen(detail), sizeof(detail) -
		    strlen(detail), " by=id q=%s", qv);
		log_info("helpdesk.search", "req=%s staff=%s by=id q=\"%s\"",
		    a->r->id, a->who.username, m != NULL ? m : "-");
		free(m);
	}
	api_audit(a, "inbox", 0, detail);
	return api_json(a, 200, out);
}

/* ---- one conversation */

struct view_ctx {
	struct api	*a;
	json_t		*arr;
	int		 reveal;	/* reveal: only masked bodies, unmasked */
};

/*
 * An outgoing message's send state (docs/api.md): queued, sent, delivered,
 * or not_sent with the reason (outbox.reason, or the delivery report's
 * "undelivered") and whether it is final or still tried.  Inbound: null.
 */
static json_t *
send_json(const struct hd_msg *m)
{
	const char	*state = "queued", *reason = NULL;
	int		 final = 0;

	if (strcmp(m->direction, "out") != 0)
		return json_null();
	if (strcmp(m->delivery, "delivered") == 0)
		state = "delivered";
	else if (strcmp(m->outbox, "failed") == 0) {
		state = "not_sent";
		reason = m->reason[0] != '\0' ? m->reason : "refused";
		final = 1;
	} else if (strcmp(m->outbox, "pending") == 0) {
		if (m->reason[0] != '\0' || m->attempts > 0) {
			state = "not_sent";
			reason = m->reason[0] != '\0' ? m->reason : "retrying";
		}
	} else if (strcmp(m->delivery, "failed") == 0) {
		/* Sent, and the network reported it not delivered. */
		state = "not_sent";
		reason = "undelivered";
		final = 1;
	} else if (strcmp(m->delivery, "queued") != 0)
		state = "sent";		/* sent, sync, buffered */
	return json_pack("{s:s, s:s?, s:b, s:i}", "state", state, "reason",
	    reason, "final", final, "attempts", m->attempts);
}

static int
msg_row(void *arg, const struct hd_msg *m)
{
	struct view_ctx	*x = arg;
	json_t		*o;

	if (x->reveal) {
		int	 changed = 0;
		char	*t = mask_text(m->body, &changed);

		free(t);
		if (!changed)
			return 0;
		o = json_pack("{s:I, s:o}", "id", (json_int_t)m->id, "body",
		    api_str(m->body));
	} else
		o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:i, "
		    "s:I, s:o, s:o, s:o, s:b, s:o, s:o}", "id",
		    (json_int_t)m->id,
		    "direction", m->direction, "channel", m->channel,
		    "body", masked_text(x->a, m->body), "lang", m->lang,
		    "intent", m->intent, "delivery", m->delivery,
		    "encoding", m->encoding, "segments", m->segments,
		    "created_at", (json_int_t)m->created_at,
		    "error", m->error[0] != '\0' ? api_str(m->error) :
		    json_null(),
		    "source", m->source[0] != '\0' ? api_str(m->source) :
		    json_null(), "prob", m->source[0] != '\0' ?
		    json_real(m->prob) : json_null(), "review", m->review,
		    "label", m->label[0] != '\0' ? json_pack("{s:s, s:s, s:I}",
		    "intent", m->label, "by", m->label_by, "at",
		    (json_int_t)m->label_at) : json_null(),
		    "send", send_json(m));
	if (o == NULL || json_array_append_new(x->arr, o) != 0)
		return 1;
	return 0;
}

static int
app_row(void *arg, const struct app_status *s)
{
	struct view_ctx	*x = arg;
	char		 pinfl[20];
	json_t		*o;

	/* A PINFL is 14 digits; only its last two are shown. */
	snprintf(pinfl, sizeof(pinfl), "************%s",
	    strlen(s->pinfl_last4) == 4 ? s->pinfl_last4 + 2 : "**");
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
	    "number", s->number, "programme", s->programme,
	    "status", s->status, "pinfl", pinfl, "submitted", s->submitted,
	    "decided", s->decided[0] != '\0' ? api_str(s->decided) :
	    json_null(), "payment", s->payment[0] != '\0' ?
	    api_str(s->payment) : json_null());
	if (o == NULL || json_array_append_new(x->arr, o) != 0)
		return 1;
	return 0;
}

static int
note_row(void *arg, const struct hd_note *n)
{
	struct view_ctx	*x = arg;
	json_t		*o = json_pack("{s:I, s:s, s:o, s:I}", "id",
	    (json_int_t)n->id, "by", n->username, "body", api_str(n->body),
	    "at", (json_int_t)n->created_at);

	if (o == NULL || json_array_append_new(x->arr, o) != 0)
		return 1;
	return 0;
}

static int
label_row(void *arg, const char *label)
{
	struct view_ctx	*x = arg;

	return json_array_append_new(x->arr, api_str(label)) != 0;
}

/* The phone applications are filed under: verified, or the SMS sender. */
static const char *
contact_phone(const struct hd_head *h)
{
	if (h->phone[0] != '\0')
		return h->phone;
	if (strcmp(h->channel, "telegram") != 0 && h->address[0] == '+')
		return h->address;
	return "";
}

static enum MHD_Result
view(struct api *a, const struct hd_head *h)
{
	struct view_ctx	 x = { .a = a };
	json_t		*msgs, *apps, *notes, *labels, *contact;
	char		 addr[80], phone[80];
	const char	*v;
	int64_t		 before = 0;
	int		 held = h->held_until > a->now;
	enum mj_err	 rc;

	if ((v = http_arg(a->conn, "before", NULL)) != NULL && *v != '\0')
		before = strtoll(v, NULL, 10);
	msgs = json_array();
	apps = json_array();
	notes = json_array();
	labels = json_array();
	x.arr = msgs;
	rc = store_hd_messages(a->st, h->contact_id, before, 500, msg_row, &x);
	x.arr = apps;
	if (rc == MJ_OK && contact_phone(h)[0] != '\0')
		rc = store_hd_applications(a->st, contact_phone(h), app_row,
		    &x);
	x.arr = notes;
	if (rc == MJ_OK)
		rc = store_hd_notes(a->st, h->contact_id, note_row, &x);
	x.arr = labels;
	if (rc == MJ_OK)
		rc = store_hd_labels(a->st, h->contact_id, label_row, &x);
	if (rc != MJ_OK) {
		json_decref(msgs);
		json_decref(apps);
		json_decref(notes);
		json_decref(labels);
		return api_fail_rc(a, rc);
	}
	mask_phone(h->address, addr, sizeof(addr));
	mask_phone(contact_phone(h), phone, sizeof(phone));
	contact = json_pack("{s:I, s:s, s:o, s:o, s:s, s:b, s:s, s:I, s:b, "
	    "s:s, s:b, s:I, s:o, s:o, s:b}",
	    "id", (json_int_t)h->contact_id, "channel", h->channel,
	    "address", api_str(addr), "phone", api_str(phone),
	    "lang", h->lang, "opted_out", h->opted_out,
	    "held_by", held ? h->held_by : "",
	    "held_until", (json_int_t)(held ? h->held_until : 0),
	    "held_by_me", held && strcasecmp(h->held_by, a->who.username) == 0,
	    "status", h->status, "needs_human", h->needs_human,
	    "last_at", (json_int_t)h->last_at,
	    "resolved_by", h->resolved_by[0] != '\0' ?
	    api_str(h->resolved_by) : json_null(),
	    "resolved_at", h->resolved_at > 0 ?
	    json_integer(h->resolved_at) : json_null(),
	    "masked", 1);
	api_audit(a, "view", h->contact_id, "");
	return api_json(a, 200, json_pack("{s:o, s:o, s:o, s:o, s:o, s:b}",
	    "contact", contact, "messages", msgs, "applications", apps,
	    "notes", notes, "labels", labels, "can_reveal",
	    api_can_reveal(a)));
}

static enum MHD_Result
reveal(struct api *a, const struct hd_head *h)
{
	struct view_ctx	 x = { .a = a, .reveal = 1 };
	enum mj_err	 rc;

	if (!api_can_reveal(a)) {
		api_audit(a, "reveal.refused", h->contact_id, "");
		return api_fail(a, 403, "forbidden",
		    "only supervisors may reveal personal data");
	}
	if ((x.arr = json_array()) == NULL)
		return api_fail_rc(a, MJ_ENOMEM);
	if ((rc = store_hd_messages(a->st, h->contact_id, 0, 500, msg_row,
	    &x)) != MJ_OK) {
		json_decref(x.arr);
		return api_fail_rc(a, rc);
	}
	api_audit(a, "reveal", h->contact_id, "phone, address, message bodies");
	return api_json(a, 200, json_pack("{s:s, s:s, s:o}", "address",
	    h->address, "phone", contact_phone(h), "messages", x.arr));
}

enum MHD_Result
api_message(struct api *a, int64_t contact_id, int64_t msg_id)
{
	struct view_ctx	 x = { .a = a };
	json_t		*arr = json_array();
	json_t		*m;
	enum mj_err	 rc;

	x.arr = arr;
	/* The row as stored: channel, encoding, segments, delivery. */
	rc = store_hd_messages(a->st, contact_id, msg_id + 1, 1, msg_row, &x);
	m = json_array_get(arr, 0);
	if (rc != MJ_OK || m == NULL) {
		json_decref(arr);
		return api_json(a, 200, json_pack("{s:I}", "message_id",
		    (json_int_t)msg_id));
	}
	json_incref(m);
	json_decref(arr);
	return api_json(a, 200, json_pack("{s:I, s:o}", "message_id",
	    (json_int_t)msg_id, "message", m));
}

enum MHD_Result
api_conversation(struct api *a, int64_t id, const char *verb)
{
	struct hd_head	h;
	enum mj_err	rc;

	if ((rc = store_hd_head(a->st, id, &h)) != MJ_OK)
		return api_fail_rc(a, rc);
	if (verb[0] == '\0')
		return view(a, &h);
	if (strcmp(verb, "reveal") == 0)
		return reveal(a, &h);
	if (strcmp(verb, "take") == 0)
		return api_take(a, &h, 0);
	if (strcmp(verb, "release") == 0)
		return api_take(a, &h, 1);
	if (strcmp(verb, "reply") == 0)
		return api_reply(a, &h);
	if (strcmp(verb, "notes") == 0)
		return api_note(a, &h);
	if (strcmp(verb, "labels") == 0)
		return api_labels(a, &h);
	if (strcmp(verb, "resolve") == 0)
		return api_resolve(a, &h, 1);
	if (strcmp(verb, "reopen") == 0)
		return api_resolve(a, &h, 0);
	return api_fail(a, 404, "not_found", "no such action");
}
